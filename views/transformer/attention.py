"""tf-03, tf-09, tf-11: self-attention step by step on a sentence, word order with and without positions, and why
scores are divided by √d_k (?transformer_tab=attention)."""

import streamlit as st
import torch

from engine.transformer.model import (
    CalcConfig,
    attention_walkthrough,
    dot_products,
    encoder_outputs,
    order_check,
    scaling_stats,
    tokenize,
)
from ui.code import show_code
from ui.i18n import t, tl
from ui.predict import estimate_then_see
from ui.widgets import bound, chart, matrix_frame, qa_panel
from views.transformer.common import K
from viz import transformer as vz

DK_VALUES = [4, 16, 64, 256, 1024]


@st.cache_data(show_spinner=False)
def scaling_table() -> list[dict]:
    return [scaling_stats(d, n_samples=5000) for d in DK_VALUES]


@st.cache_data(show_spinner=False)
def cached_dots(dk: int) -> tuple[list[float], list[float]]:
    raw, scaled = dot_products(dk, n_samples=2000)
    return raw.tolist(), scaled.tolist()


def render() -> None:
    walkthrough()
    scaling()


def heatmap(key: str, mat, rows, cols, title: str, *, tokens_by_tokens: bool = False, on=None, **kwargs) -> None:
    """One matrix of the walkthrough: rows are tokens, columns dimensions (or keys for a tokens × tokens matrix)."""
    x_title, y_title = (
        ("transformer.key", "transformer.query") if tokens_by_tokens else ("transformer.dim", "transformer.token")
    )
    fig = vz.matrix_heatmap(mat, rows, cols, title=title, x_title=t(x_title), y_title=t(y_title), **kwargs)
    chart(fig, key=K + f"step_{key}", name=f"attention-{key}", on=on)


@st.fragment
def walkthrough() -> None:
    text = bound(
        st.text_input, t("transformer.sentence"), t("transformer.default_sentence"), max_chars=5000, key=K + "sentence"
    )
    c1, c2, c3 = st.columns(3)
    d_model = bound(c1.slider, t("transformer.d_model"), 2, 32, 8, key=K + "calc_d")
    d_k = bound(c2.slider, "d_k", 1, 16, 4, key=K + "calc_dk")
    mode = bound(  # number options with a format_func: the URL holds the label
        c3.radio,
        t("transformer.qkv_mode"),
        [0, 1, 2],
        format_func=tl("transformer.qkv_modes").__getitem__,
        key=K + "calc_mode",
    )
    c1, c2, c3 = st.columns(3)
    causal = bound(c1.toggle, t("transformer.causal"), False, key=K + "calc_causal")
    use_pe = bound(c2.toggle, t("transformer.add_pe"), True, key=K + "calc_pe")
    scale = bound(c3.toggle, t("transformer.scale"), True, key=K + "calc_scale")
    try:
        tokens = tokenize(text)
    except ValueError as exc:
        st.warning(t(f"transformer.err_{exc}"))
        return
    w = attention_walkthrough(
        tokens, CalcConfig(d_model, d_k, ("qkv", "shared", "v_only")[mode], causal, use_pe, scale)
    )
    kdims = [str(i) for i in range(w["q"].shape[1])]
    heatmap("x", w["x"], tokens, [str(i) for i in range(d_model)], t("transformer.step_x"))
    small = len(tokens) * len(kdims) <= 100
    for col, name in zip(st.columns(3), ("q", "k", "v")):
        heatmap(name, w[name], tokens, kdims, t(f"transformer.step_{name}"), text=small, on=col)
    c1, c2 = st.columns(2)
    scores = t("transformer.step_scores" if scale else "transformer.step_scores_raw")
    heatmap("scores", w["scaled"], tokens, tokens, scores, tokens_by_tokens=True, on=c1)
    fig = vz.matrix_heatmap(
        w["weights"],
        tokens,
        tokens,
        title=t("transformer.step_softmax"),
        diverging=False,
        x_title=t("transformer.key"),
        y_title=t("transformer.query"),
    )
    weights = matrix_frame(w["weights"], tokens, tokens, corner=t("transformer.query"))
    chart(fig, key=K + "weights", name="attention-weights", data=weights, on=c2)
    heatmap("out", w["out"], tokens, kdims, t("transformer.step_out"))
    symmetric = bool(torch.equal(w["scores"], w["scores"].T))
    (st.success if symmetric else st.info)(t("transformer.symmetric_yes" if symmetric else "transformer.symmetric_no"))
    st.subheader(t("transformer.order_title"))
    if len(tokens) >= 2:
        order = list(reversed(range(len(tokens))))
        for col, pe in zip(st.columns(2), (False, True)):
            r = order_check(tokens, order, use_pe=pe)
            col.metric(
                t("transformer.order_pe" if pe else "transformer.order_nope"),
                f"{r['cos']:.4f}",
                help=t("transformer.order_help", diff=r["max_diff"]),
            )
    show_code(
        encoder_outputs, ["tests/engine/transformer/test_transformer.py::test_permutation_equivariance_without_pe"]
    )
    show_code(
        attention_walkthrough,
        [
            "tests/engine/transformer/test_transformer.py::test_shared_qk_gives_symmetric_scores",
            "tests/engine/transformer/test_transformer.py::test_sdpa_matches_torch",
        ],
    )
    qa_panel(["tf-03", "tf-09"])


def saturation_truth(dk: int) -> float:
    """The prompt's truth: the mean largest softmax weight of 10 unscaled scores at d_k (engine.scaling_stats)."""
    return scaling_table()[DK_VALUES.index(dk)]["maxp_raw"]


def _saturation(r: dict) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric(t("predict.tf_sqrt_dk.raw"), f"{r['maxp_raw']:.3f}")
    c2.metric(t("predict.tf_sqrt_dk.scaled"), f"{r['maxp_scaled']:.3f}")
    c3.metric(
        t("predict.tf_sqrt_dk.grad"),
        f"{r['jac_raw']:.3f}",
        help=t("predict.tf_sqrt_dk.grad_help", scaled=r["jac_scaled"]),
    )


def _scaling_results(dk: int, rows: list[dict]) -> None:
    """What answers the prompt (drawn once it is answered): the saturation numbers, the scores' histograms, the
    largest weight and the gradient size against d_k, and the measured variances."""
    r = rows[DK_VALUES.index(dk)]
    _saturation(r)
    raw, scaled = cached_dots(dk)
    fig = vz.histograms(
        {"q·k": raw, "q·k/√d_k": scaled},
        title=t("transformer.hist_title", dk=dk),
        x_title=t("transformer.score"),
        y_title=t("transformer.density"),
    )
    chart(fig, key=K + "scale_hist", name="attention-scaling-scores")
    for col, what, y_title in zip(st.columns(2), ("maxp", "jac"), ("max p", "‖∂p/∂s‖")):
        series = {
            t("transformer.unscaled"): [row[f"{what}_raw"] for row in rows],
            t("transformer.scaled"): [row[f"{what}_scaled"] for row in rows],
        }
        fig = vz.lines(
            DK_VALUES, series, title=t(f"transformer.{what}_title"), x_title="d_k", y_title=y_title, log_x=True
        )
        chart(fig, key=K + f"scale_{what}", name=f"attention-scaling-{what}", on=col)
    st.markdown(t("transformer.scaling_numbers", dk=dk, var=r["var"], var_scaled=r["var_scaled"]))


@st.fragment
def scaling() -> None:
    st.subheader(t("transformer.scaling_title"))
    dk = bound(st.select_slider, "d_k", DK_VALUES, 64, key=K + "scale_dk")
    rows = scaling_table()
    estimate_then_see(  # the histograms, curves and variances answer it: all drawn in the reveal
        "tf_sqrt_dk",
        t("predict.tf_sqrt_dk.prompt", dk=dk),
        saturation_truth(dk),
        topic="tf",
        reveal=lambda: _scaling_results(dk, rows),
        tolerance=0.1,
        min_value=0.0,
        max_value=1.0,
        step=0.01,
        explain=t("predict.tf_sqrt_dk.why"),
        variant=dk,
    )
    show_code(
        scaling_stats,
        [
            "tests/engine/transformer/test_transformer.py::test_dot_product_variance_is_dk",
            "tests/engine/transformer/test_transformer.py::test_softmax_jacobian_matches_autograd",
        ],
    )
    qa_panel(["tf-11"])
