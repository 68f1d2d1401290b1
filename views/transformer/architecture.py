"""tf-01, tf-07, misc-12: the architecture diagram and parameter counts, Add & Norm over depth, modules vs
applications (?transformer_tab=architecture)."""

import pandas as pd
import streamlit as st

from engine.transformer import cost as cx
from engine.transformer.model import Seq2SeqTransformer, TransformerConfig
from engine.transformer.norms import depth_profile
from ui.code import show_code
from ui.i18n import t, tl
from ui.widgets import bound, chart, qa_panel
from views.transformer.common import K
from viz import transformer as vz

DOT_PARTS = "src tgt emb pe self masked cross ffn addnorm enc dec linear softmax memory".split()


@st.cache_data(show_spinner=False)
def reference_counts(bert: bool, sites: bool = False) -> dict:
    return cx.reference_sites(bert) if sites else {n: cx.module_counts(m) for n, m in cx.reference_models(bert).items()}


@st.cache_data(show_spinner=False)
def tiny_model_counts(sites: bool = False) -> dict:  # cached: not a new model on every rerun
    return (cx.seq2seq_sites if sites else cx.module_counts)(Seq2SeqTransformer(TransformerConfig()))


@st.cache_data(show_spinner=False)
def cached_depth_profile(depth: int, residual: bool, norm: str) -> dict:
    return depth_profile(depth, residual=residual, norm=norm)


# Each tab's sections are fragments: a widget inside one reruns that section only (only the open tab is drawn at
# all; a finished training run reruns the whole page).
@st.fragment
def render() -> None:
    c1, c2, c3, c4 = st.columns(4)
    n = bound(c1.number_input, t("transformer.n_layers"), 1, 12, 6, key=K + "arch_n")
    h = bound(c2.number_input, t("transformer.n_heads"), 1, 16, 8, key=K + "arch_h")
    d = bound(c3.number_input, t("transformer.d_model"), 1, 1024, 512, key=K + "arch_d")
    ff = bound(c4.number_input, t("transformer.d_ff"), 1, 8192, 2048, key=K + "arch_ff")
    left, right = st.columns([5, 6])
    left.graphviz_chart(vz.architecture_dot({k: t(f"transformer.dot.{k}") for k in DOT_PARTS}, int(n)))
    right.markdown(t("transformer.arch_where"))
    try:
        p = cx.block_params(int(d), int(h), int(ff))
    except ValueError:
        right.error(t("transformer.err_heads", d=int(d), h=int(h)))
    else:
        total = cx.transformer_params(int(d), int(h), int(n), int(n), int(ff))
        blocks = {
            t("transformer.block"): [t(f"transformer.blk.{k}") for k in p],
            t("transformer.params"): list(p.values()),
        }
        right.dataframe(pd.DataFrame(blocks), hide_index=True)
        right.markdown(t("transformer.arch_total", total=f"{total:,}", d_k=int(d) // int(h)))
    show_code(cx.transformer_params, ["tests/engine/transformer/test_transformer.py::test_transformer_param_count"])
    add_norm()
    modules()
    qa_panel(["tf-01", "tf-07", "misc-12"])


def add_norm() -> None:
    """tf-07: activation and gradient size layer by layer, with or without residuals, Post-LN / Pre-LN / none."""
    st.subheader(t("transformer.addnorm_title"))
    c1, c2, c3 = st.columns(3)
    depth = bound(c1.slider, t("transformer.depth"), 2, 24, 12, key=K + "an_depth")
    residual = bound(c2.toggle, t("transformer.residual"), True, key=K + "an_res")
    norm = bound(  # number options with a format_func: the URL holds the label (?transformer_an_norm=Pre-LN)
        c3.radio,
        t("transformer.norm_kind"),
        [0, 1, 2],
        format_func=tl("transformer.norm_kinds").__getitem__,
        horizontal=True,
        key=K + "an_norm",
    )
    prof = cached_depth_profile(depth, residual, ("post", "pre", "none")[norm])
    c1, c2 = st.columns(2)
    for col, what, y_title in ((c1, "std", "std"), (c2, "grad", "‖∇W‖")):
        title = t("transformer.act_std" if what == "std" else "transformer.grad_norm")
        fig = vz.lines(
            range(1, depth + 1),
            {title: prof[what]},
            title=title,
            x_title=t("transformer.layer"),
            y_title=y_title,
            log_y=True,
        )
        chart(fig, key=K + f"an_{what}", name=f"transformer-depth-{what}", on=col)
    show_code(
        depth_profile,
        ["tests/engine/transformer/test_transformer.py::test_depth_profile_equals_torch_layer_norm_and_autograd"],
    )


def modules() -> None:
    """misc-12: how often each module kind occurs (or is applied) in the tiny model and reference models."""
    st.subheader(t("transformer.modules_title"))
    sites = bound(st.toggle, t("transformer.count_sites_toggle"), False, key=K + "count_sites")
    with_bert = bound(st.toggle, t("transformer.with_bert"), False, key=K + "with_bert")
    counts = {t("transformer.tiny_model"): tiny_model_counts(sites), **reference_counts(with_bert, sites)}
    kinds = list(next(iter(counts.values())))
    fig = vz.bars(
        kinds,
        {name: [c[k] for k in kinds] for name, c in counts.items()},
        title=t("transformer.modules_title"),
        x_title=t("transformer.module"),
        y_title=t("transformer.count_sites" if sites else "transformer.count"),
    )
    chart(fig, key=K + "modules", name="transformer-modules")
    st.caption(t("transformer.sites_note" if sites else "transformer.modules_note"))
    show_code(
        cx.module_counts,
        [
            "tests/engine/transformer/test_cost_sites.py::test_encoder_layer_by_hand",
            "tests/engine/transformer/test_cost_sites.py::test_tiny_model_equals_forward_hooks",
            "tests/engine/transformer/test_cost_sites.py::test_reference_models_modules_and_sites",
        ],
    )
