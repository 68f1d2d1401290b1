"""Tab `cost`: operations per training example, NNLM vs CBOW and softmax vs hierarchical softmax vs negative
sampling, and a measured timing of the output layers."""

import math

import streamlit as st

from engine.embeddings.word2vec import cost_per_example, time_output_layers
from ui.code import show_code
from ui.i18n import t
from ui.predict import predict_then_see
from ui.widgets import bound, qa_panel
from views.word2vec.common import bars

COST_BUCKETS = ("b1", "b2", "b3", "b4", "b5")  # under 10×, 10-100×, 100-1,000×, 1,000-10,000×, over 10,000×


def cost_ratio(cost: dict[str, float]) -> float:
    """Full softmax over hierarchical softmax, CBOW, from engine.embeddings.word2vec.cost_per_example."""
    return cost["cbow_softmax"] / cost["cbow_hs"]


def cost_bucket(cost: dict[str, float]) -> str:
    """The prompt's truth: the order of magnitude of the ratio."""
    return COST_BUCKETS[min(max(int(math.floor(math.log10(cost_ratio(cost)))), 0), len(COST_BUCKETS) - 1)]


def _cost_numbers(cost: dict[str, float]) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric(t("predict.w2v_hs_cost.softmax"), f"{cost['cbow_softmax']:,.0f}")
    c2.metric(t("predict.w2v_hs_cost.hs"), f"{cost['cbow_hs']:,.0f}")
    c3.metric(t("predict.w2v_hs_cost.ratio"), f"{cost_ratio(cost):,.0f}×")


def _cost_results(cost: dict[str, float], V: int, D: int, kk: int) -> None:
    """What answers the prompt (drawn once it is answered): the two costs and their ratio, the cost chart of every
    model, and the measured timing of the output layers (a button: measuring is another way to the answer)."""
    _cost_numbers(cost)
    bars(
        [t(f"word2vec.cost_{c}") for c in cost],
        {t("word2vec.cost_q"): list(cost.values())},
        title=t("word2vec.cost_chart"),
        x_title=t("word2vec.cost_model"),
        y_title=t("word2vec.cost_q"),
        log_y=True,
        key="w2v_cost_chart",
        name="word2vec-cost-per-example",
    )
    if st.button(t("word2vec.measure"), key="w2v_measure"):
        with st.spinner(t("word2vec.measuring")):
            secs = time_output_layers(min(V, 100_000), min(D, 300), kk, batch=64)
        bars(
            list(secs),
            {"ms": [1000 * v for v in secs.values()]},
            title=t("word2vec.measured", V=min(V, 100_000)),
            x_title=t("word2vec.cost_layer"),
            y_title="ms",
            key="w2v_cost_measured",
            name="word2vec-output-layer-timing",
        )


@st.fragment
def render() -> None:
    st.markdown(t("word2vec.cost_intro"))
    q = st.columns(5)
    V = bound(q[0].select_slider, "V", [10**3, 10**4, 10**5, 10**6], 10**5, key="w2v_cost_V")
    D = bound(q[1].number_input, "D", 1, 2048, 100, key="w2v_cost_D")
    N = bound(q[2].number_input, "N", 1, 20, 4, key="w2v_cost_N")
    H = bound(q[3].number_input, "H", 1, 4096, 500, key="w2v_cost_H")
    kk = bound(q[4].number_input, "k", 1, 50, 5, key="w2v_cost_k")
    cost = cost_per_example(V, D, N, H, kk)
    predict_then_see(  # the cost chart and the measured timing answer it: both drawn in the reveal
        "w2v_hs_cost",
        t("predict.w2v_hs_cost.prompt", V=V, D=D, N=N),
        {code: t(f"predict.w2v_hs_cost.{code}") for code in COST_BUCKETS},
        cost_bucket(cost),
        topic="w2v",
        reveal=lambda: _cost_results(cost, V, D, kk),
        explain=t("predict.w2v_hs_cost.why", log2v=math.log2(V)),
        variant=(V, D, N),
    )
    show_code(
        cost_per_example,
        [
            "tests/engine/embeddings/test_word2vec.py::test_cost_closed_forms",
            "tests/engine/embeddings/test_word2vec.py::test_softmax_cost_term_matches_flop_counter",
        ],
    )
    qa_panel(["w2v-04"])
