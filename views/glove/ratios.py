"""?glove_tab=ratios: P(k|i) / P(k|j) from the corpus (and from a trained model), the paper's ice/steam table to
edit, and the derivation of GloVe's loss step by step."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.embeddings.glove import ICE_STEAM, Counts, model_ratios, ratio_rows
from ui.code import show_code
from ui.i18n import t
from ui.widgets import bound, chart, figure
from views.glove.common import trained_glove, warn_unknown, words_of
from viz import glove as V


@st.fragment  # its widgets rerun this tab only
def render(counts: Counts, dflt: tuple) -> None:
    vocab, tr = counts.vocab, trained_glove(counts)  # read here: a run that ended in another tab shows up too
    c = st.columns([1, 1, 3])
    i = bound(c[0].text_input, "i", "", placeholder=dflt[1], key="glove_i")
    j = bound(c[1].text_input, "j", "", placeholder=dflt[2], key="glove_j")
    ks = bound(c[2].text_input, t("glove.probes"), "", placeholder=dflt[3], key="glove_k")
    ij, unk1 = words_of(f"{(i or '').strip() or dflt[1]} {(j or '').strip() or dflt[2]}", "", vocab)
    probes, unk2 = words_of(ks, dflt[3], vocab)
    warn_unknown(unk1 + unk2)
    if len(ij) < 2 or not probes:
        st.info(t("glove.need_ij"))
    else:
        corpus_table(counts, tr, ij, probes)
    reference_table()
    show_code(
        ratio_rows,
        [
            "tests/engine/embeddings/test_glove.py::test_count_corpus_and_its_errors",
            "tests/engine/embeddings/test_glove.py::test_probabilities_rows_sum_to_one",
        ],
    )
    st.markdown(t("glove.why_ratio"))
    st.subheader(t("glove.deriv_title"))
    labels = [t(f"glove.deriv_label_{n}") for n in range(6)]
    step = bound(
        st.select_slider, t("glove.deriv_step"), list(range(6)), 0, key="glove_step", format_func=lambda n: labels[n]
    )
    st.markdown(t(f"glove.deriv_{step}"))


def ratio_chart(k, p_i, p_j, *, title: str, names: tuple, key: str, name: str, on) -> None:
    chart(
        figure(V.ratio_bars, k, p_i, p_j, y_title="log", title=title, x_title=t("glove.probes"), names=names),
        key=key,
        name=name,
        on=on,
    )


def corpus_table(counts: Counts, tr, ij: list[str], probes: list[str]) -> None:
    """The ratio table of words i, j and probes k in this corpus, with the trained model's ratios when there is one."""
    vocab = counts.vocab
    rows = ratio_rows(counts.X, vocab, ij[0], ij[1], probes)
    pi, pj, ratio = f"P(k|{ij[0]})", f"P(k|{ij[1]})", t("glove.ratio")
    df = pd.DataFrame(
        {
            "k": [r["k"] for r in rows],
            pi: [r["p_i"] for r in rows],
            pj: [r["p_j"] for r in rows],
            ratio: [r["ratio"] for r in rows],
        }
    )
    if tr is not None and tr.counts is counts:
        df[t("glove.model_ratio")] = model_ratios(tr.model, counts.X, vocab, ij[0], ij[1], probes)
    for col in df.columns[1:]:  # as text: NaN shows as "—", probabilities in scientific notation
        fmt = "{:.2e}" if col in (pi, pj) else "{:.3g}"
        df[col] = [fmt.format(v) if np.isfinite(v) else "—" for v in df[col]]
    a, b = st.columns(2)
    a.markdown(t("glove.corpus_table"))
    a.dataframe(df, hide_index=True, width="stretch")
    a.caption(t("glove.model_ratio_note") if tr is not None else t("glove.train_for_model_ratio"))
    ratio_chart(
        df["k"],
        [r["p_i"] for r in rows],
        [r["p_j"] for r in rows],
        title=t("glove.ratio_chart"),
        names=(pi, pj, ratio),
        key="glove_ratio",
        name="glove-ratios",
        on=b,
    )


def reference_table() -> None:
    """The paper's ice/steam probabilities, editable, and their ratio chart."""
    st.markdown(t("glove.reference_table"))
    ref = pd.DataFrame(
        {
            "k": ICE_STEAM["k"],
            "P(k|ice)": ICE_STEAM["p_ice"],
            "P(k|steam)": ICE_STEAM["p_steam"],
            "P(k|ice)/P(k|steam)": ICE_STEAM["ratio"],
        }
    )
    a, b = st.columns(2)
    edited = a.data_editor(
        ref,
        hide_index=True,
        width="stretch",
        disabled=["k", "P(k|ice)/P(k|steam)"],
        key="glove_ref_editor",
        column_config={
            c: st.column_config.NumberColumn(format="%.2e", min_value=0.0) for c in ("P(k|ice)", "P(k|steam)")
        },
    )
    a.caption(t("glove.reference_source", source=ICE_STEAM["source"]) + " " + t("glove.reference_edit"))
    ratio_chart(
        edited["k"],
        edited["P(k|ice)"].fillna(0),
        edited["P(k|steam)"].fillna(0),
        title=t("glove.ratio_chart_ref"),
        names=("P(k|ice)", "P(k|steam)", "P(k|ice)/P(k|steam)"),
        key="glove_ratio_ref",
        name="glove-ratios-ice-steam",
        on=b,
    )
