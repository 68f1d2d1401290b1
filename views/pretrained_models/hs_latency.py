"""misc-14, drawn in the compression tab: the output layer's cost, softmax vs hierarchical softmax, as |V| grows
(expected dot products per token from the Huffman tree, and measured ms per batch on this server)."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from engine.pretrained import hs_latency as hl
from ui.code import show_code
from ui.i18n import current_lang, t
from ui.widgets import bound, chart
from viz import pretrained_models as vz

HS_VOCABS = (100, 300, 1_000, 3_000, 10_000, 30_000, 100_000)


@st.cache_data(show_spinner=False, max_entries=32)
def _ladder(vocabs: tuple[int, ...], dim: int, s: float, measure: bool) -> list[hl.LadderRow]:
    """Shared by every session: trees are deterministic, and a classroom should time this server once, not 30x."""
    return hl.ladder(hl.HSConfig(dim=dim, zipf_s=s), vocabs, measure=measure)


@st.cache_resource(show_spinner=False, max_entries=64)
def _hs_chart(
    vocabs: tuple[int, ...], rows: tuple[hl.LadderRow, ...], timed: tuple[hl.LadderRow, ...] | None, lang: str
):
    """The softmax-vs-HS figure and its table, built once per input and shared read-only (cache_resource: a Figure
    unpickled from cache_data would be rebuilt and re-validated by plotly on every run)."""
    soft, huff, bal = (t(f"pretrained_models.{k}", lang) for k in ("hs_softmax", "hs_huffman", "hs_balanced"))
    cost = {soft: list(vocabs), huff: [r.mean_length for r in rows], bal: [math.ceil(math.log2(v)) for v in vocabs]}
    measured = {soft: [r.softmax_ms for r in timed], huff: [r.hs_ms for r in timed]} if timed else None
    fig = vz.softmax_vs_hs(
        vocabs,
        cost,
        measured,
        title=t("pretrained_models.hs_chart_title", lang),
        x_title=t("pretrained_models.hs_vocab_axis", lang),
        cost_title=t("pretrained_models.hs_cost_axis", lang),
        ms_title=t("pretrained_models.hs_ms_axis", lang),
        cost_panel=t("pretrained_models.hs_cost_panel", lang),
        ms_panel=t("pretrained_models.hs_ms_panel", lang),
    )
    df = pd.DataFrame(
        {
            "|V|": vocabs,
            "entropy_bits": [r.entropy for r in rows],
            **cost,
            **({f"{k} (ms)": v for k, v in measured.items()} if measured else {}),
        }
    )
    return fig, df


@st.fragment
def render() -> None:
    """misc-14: the output layer's cost, softmax vs hierarchical softmax, as |V| grows."""
    st.subheader(t("pretrained_models.hs_title"))
    st.markdown(t("pretrained_models.hs_intro"))
    c = st.columns(3)
    vmax = bound(c[0].select_slider, t("pretrained_models.hs_vmax"), HS_VOCABS[2:], 30_000, key="ptm_hs_vmax")
    dim = bound(c[1].select_slider, t("pretrained_models.hs_dim"), (32, 64, 128, 256), 64, key="ptm_hs_d")
    s = round(float(bound(c[2].slider, t("pretrained_models.hs_zipf"), 0.0, 2.0, 1.0, 0.1, key="ptm_hs_s")), 2)
    vocabs = tuple(v for v in HS_VOCABS if v <= vmax)
    rows = _ladder(vocabs, 64, s, False)  # the expected cost does not depend on d
    setting = (vocabs, int(dim), s)
    if st.button(t("pretrained_models.hs_measure"), key="ptm_hs_measure"):
        with st.spinner(t("pretrained_models.hs_measuring")):
            st.session_state["ptm_hs"] = (setting, _ladder(*setting, True))
    done = st.session_state.get("ptm_hs")
    timed = done[1] if done and done[0] == setting else None
    fig, df = _hs_chart(vocabs, tuple(rows), tuple(timed) if timed else None, current_lang())
    chart(fig, key="ptm_hs_chart", name="softmax-vs-hierarchical-softmax", data=df)
    last = rows[-1]
    st.markdown(
        t(
            "pretrained_models.hs_note",
            v=last.vocab,
            h=last.entropy,
            l=last.mean_length,
            h1=last.entropy + 1,
            m=last.max_length,
            ratio=last.vocab / last.mean_length,
        )
    )
    if timed:
        fast = timed[-1]
        st.markdown(
            t(
                "pretrained_models.hs_speed",
                v=fast.vocab,
                soft=fast.softmax_ms,
                hs=fast.hs_ms,
                x=fast.softmax_ms / max(fast.hs_ms, 1e-9),
            )
        )
    st.caption(t("pretrained_models.hs_caveat"))
    show_code(
        hl.hs_logprob,
        [
            "tests/engine/pretrained/test_hs_latency.py::test_hs_probabilities_sum_to_one_and_softmax_matches_torch",
            "tests/engine/pretrained/test_hs_latency.py::test_mean_huffman_length_within_one_bit_of_entropy",
        ],
    )
