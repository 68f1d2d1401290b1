"""The lens's fourth part (?lens_part=saliency): which input tokens the predicted next token depends on, by
gradient × input and by integrated gradients, with IG's completeness checked on the spot."""

import pandas as pd
import streamlit as st

from engine.pretrained import lens
from ui.code import show_code
from ui.i18n import t, tl
from ui.tabs import url_select
from ui.widgets import bound, chart
from views.pretrained_models.lens_layers import input_labels
from viz import lens as vz

TESTS = [
    "tests/engine/pretrained/test_lens.py::test_integrated_gradients_are_complete_and_gradient_x_input_is_a_derivative"
]


@st.cache_data(show_spinner=False, max_entries=32)
def _saliency(_lm, text: str, nodes: int, rule: str) -> lens.Saliency:
    return lens.integrated_gradients(_lm, text, nodes=nodes, rule=rule)  # _lm: the one shared model


def draw(lm, text: str) -> None:
    st.markdown(t("lens.saliency_intro"))
    c = st.columns(2)
    nodes = bound(c[0].slider, t("lens.ig_nodes"), 8, lens.MAX_NODES, 64, 8, key="lens_nodes")
    with c[1]:
        rule = url_select(t("lens.ig_rule"), "lens_rule", lens.IG_RULES, tl("lens.ig_rules"))
    with st.spinner(t("lens.computing_ig", nodes=nodes)):
        sal = _saliency(lm, text, int(nodes), rule)
    tok = lm.tokenizer
    target = lens.token_label(tok, sal.target, show_whitespace=True)
    labels = input_labels(lm, text, len(sal.ids))
    fig = vz.saliency_bars(
        labels,
        sal.grad_input.tolist(),
        sal.ig.tolist(),
        title=t("lens.saliency_title", token=vz.esc(target)),
        x_title=t("lens.position"),
        y_title=t("lens.attribution"),
        names=(t("lens.grad_input"), t("lens.ig")),
    )
    table = pd.DataFrame(
        {
            t("lens.position"): labels,
            t("lens.col_id"): sal.ids,
            t("lens.grad_input"): sal.grad_input.tolist(),
            t("lens.ig"): sal.ig.tolist(),
        }
    )
    chart(fig, key="lens_saliency", name="smollm2-saliency", data=table)
    m = st.columns(4)
    m[0].metric(t("lens.f_x"), f"{sal.f_x:.3f}")
    m[1].metric(t("lens.f_base"), f"{sal.f_baseline:.3f}")
    m[2].metric(t("lens.ig_sum"), f"{float(sal.ig.sum()):.3f}")
    m[3].metric(t("lens.gap"), f"{100 * sal.gap:+.2f} %")
    st.caption(t("lens.saturation", gx=float(sal.grad_input.sum()), ig=float(sal.ig.sum())))
    if abs(sal.gap) <= 0.01:
        st.success(t("lens.complete_ok", nodes=sal.nodes))
    else:
        st.warning(t("lens.complete_bad", nodes=sal.nodes, gap=100 * sal.gap))
    show_code(lens.integrated_gradients, TESTS)
