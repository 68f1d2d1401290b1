"""tf-05, tf-10, misc-06, misc-07: the cost of a layer, FLOPs by length, gradient reach, and a live timing of
self-attention against an LSTM (?transformer_tab=cost)."""

import pandas as pd
import streamlit as st

from engine.transformer import cost as cx
from ui.code import show_code
from ui.i18n import t
from ui.widgets import bound, chart, qa_panel
from views.transformer.common import K
from viz import transformer as vz

SEQ_NS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
REACH_NS = [2, 4, 8, 16, 32, 64, 128]


@st.cache_data(show_spinner=False)
def cached_reach() -> dict:
    return cx.gradient_reach(REACH_NS)


def log_lines(key: str, name: str, x, series: dict, title: str, y_title: str, *, on=None) -> None:
    """A log-log line chart against the sequence length n."""
    fig = vz.lines(x, series, log_x=True, log_y=True, title=title, x_title=t("transformer.seq_n"), y_title=y_title)
    chart(fig, key=K + key, name=name, on=on)


@st.fragment
def render() -> None:
    c1, c2 = st.columns(2)
    n = bound(c1.select_slider, t("transformer.seq_n"), SEQ_NS, 128, key=K + "cost_n")
    d = bound(c2.select_slider, t("transformer.width_d"), [64, 128, 256, 512, 1024, 2048], 512, key=K + "cost_d")
    rows = [
        {
            t("transformer.quantity"): t(f"transformer.row_{r['row']}"),
            t("transformer.self_attention"): f"{r['self_attention']:,}",
            t("transformer.recurrent"): f"{r['recurrent']:,}",
            t("transformer.faster"): t(f"transformer.faster_{r['faster']}"),
        }
        for r in cx.layer_table(n, d)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    show_code(cx.layer_table, ["tests/engine/transformer/test_transformer.py::test_layer_table_faster_badge"])
    curves = {t(f"transformer.flop_{k}"): v for k, v in cx.flop_curves(d, SEQ_NS).items()}
    log_lines("flops", "transformer-flops", SEQ_NS, curves, t("transformer.flops_title", d=d), "FLOPs")
    st.caption(t("transformer.flops_caption", d=d))
    show_code(cx.attention_flops, ["tests/engine/transformer/test_transformer.py::test_attention_flops_closed_form"])
    reach = cached_reach()
    reach = {"LSTM": reach["lstm"], t("transformer.self_attention"): reach["attention"]}
    log_lines("reach", "transformer-gradient-reach", REACH_NS, reach, t("transformer.reach_title"), "‖∂y_n/∂x_1‖")
    st.caption(t("transformer.reach_caption"))
    show_code(
        cx.gradient_reach,
        ["tests/engine/transformer/test_transformer.py::test_lstm_equals_cell_loop_and_gradient_reach"],
    )
    st.markdown(t("transformer.parallel_table"))
    if st.button(t("transformer.measure"), key=K + "measure"):
        dm = min(d, 512)
        st.session_state[K + "measured"] = (
            dm,
            [(m, cx.measure_layers(m, dm)) for m in (16, 64, 256, 1024)],
            cx.measure_parallel(64, 64),
        )
    if st.session_state.get(K + "measured"):
        measured()
    qa_panel(["tf-05", "tf-10", "misc-06", "misc-07"])


def measured() -> None:
    """The timings the Measure button took (kept in the session until the next press)."""
    dm, rows, par = st.session_state[K + "measured"]
    ms = [m for m, _ in rows]
    plots = (("time", "s", lambda s: s * 1e3, "ms"), ("mem", "bytes", lambda b: b / 2**20, "MiB"))
    for col, (what, field, unit, y_title) in zip(st.columns(2), plots):
        series = {
            t("transformer.self_attention"): [unit(r[f"attn_{field}"]) for _, r in rows],
            "LSTM": [unit(r[f"lstm_{field}"]) for _, r in rows],
        }
        title = t(f"transformer.{what}_title", d=dm)
        log_lines(f"measured_{what}", f"transformer-measured-{what}", ms, series, title, y_title, on=col)
    fig = vz.bars(
        [t("transformer.par_loop"), t("transformer.par_matmul"), t("transformer.par_rnn")],
        {"ms": [par["loop_s"] * 1e3, par["matmul_s"] * 1e3, par["rnn_s"] * 1e3]},
        log_y=True,
        title=t("transformer.par_title"),
        x_title=t("transformer.par_how"),
        y_title="ms",
    )
    chart(fig, key=K + "parallel", name="transformer-parallel")
    show_code(
        cx.scores_double_loop, ["tests/engine/transformer/test_transformer.py::test_double_loop_scores_equal_matmul"]
    )
