"""Tab `distributional`: the distributional hypothesis. Two made-up words share more or fewer contexts; the cosine
of their trained vectors follows the overlap."""

import streamlit as st

from engine.embeddings.word2vec import Word2VecConfig, context_overlap_corpus, cosine_vs_overlap
from ui.code import show_code
from ui.i18n import t
from ui.widgets import bound, chart, qa_panel
from viz import word2vec as vz


@st.fragment
def render() -> None:
    st.markdown(t("word2vec.dh_intro"))
    ov = bound(st.slider, t("word2vec.dh_overlap"), 0, 100, 50, 10, key="w2v_overlap") / 100
    st.markdown("  \n".join(f"`{' '.join(s)}`" for s in context_overlap_corpus(ov, n_sentences=6, seed=1)))
    if st.button(t("word2vec.dh_run"), key="w2v_dh_run"):
        levels = [0, 0.2, 0.4, 0.6, 0.8, 1.0]
        with st.spinner(t("word2vec.measuring")):
            cos = cosine_vs_overlap(levels, Word2VecConfig(dim=16, window=2, epochs=3, sample=0, batch_size=64))
        chart(
            vz.line(
                [100 * x for x in levels],
                {"cos(blick, dax)": cos},
                title=t("word2vec.dh_chart"),
                x_title=t("word2vec.dh_overlap"),
                y_title=t("word2vec.cosine"),
            ),
            key="w2v_dh_chart",
            name="word2vec-cosine-vs-overlap",
        )
    show_code(cosine_vs_overlap, ["tests/engine/embeddings/test_word2vec.py::test_cosine_rises_with_context_overlap"])
    qa_panel(["misc-02"])
