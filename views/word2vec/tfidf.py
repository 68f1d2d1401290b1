"""Tab `tfidf`: two texts compared as bags of words, tf-idf vectors and mean word2vec vectors (the trained model
comes from the session: the training tab need not be drawn)."""

import streamlit as st

from engine.core.corpus import tokenize
from engine.embeddings.similarity import cosine, mean_vector
from engine.embeddings.tfidf import cosine_matrix, count_matrix, tfidf
from ui.code import show_code
from ui.i18n import t
from ui.training import get_job
from ui.widgets import bound, qa_panel
from views.word2vec.common import bars, vectors


@st.fragment
def render(corpus) -> None:
    st.markdown(t("word2vec.tfidf_intro"))
    d1, d2 = st.columns(2)
    ta = bound(d1.text_area, t("word2vec.text_a"), t("word2vec.text_a_default"), key="w2v_text_a")[:5000]
    tb = bound(d2.text_area, t("word2vec.text_b"), t("word2vec.text_b_default"), key="w2v_text_b")[:5000]
    lang = corpus.lang if corpus is not None else "en"
    docs = [tokenize(ta, lang), tokenize(tb, lang)]
    job = get_job("w2v")
    if not all(docs):
        st.warning(t("word2vec.tfidf_empty"))
    else:
        tf = tfidf(docs + (corpus.sentences[:2000] if corpus is not None else []))
        cos_tfidf = float(cosine_matrix(tf.matrix[:2])[0, 1])
        cos_bow = float(cosine_matrix(count_matrix(docs)[0])[0, 1])
        vals = {t("word2vec.bow"): cos_bow, "tf-idf": cos_tfidf}
        if job is not None and job.usable:
            vecs, vocab = vectors(job)
            vals["word2vec"] = cosine(mean_vector(vecs, vocab, docs[0]), mean_vector(vecs, vocab, docs[1]))
        else:
            st.info(t("word2vec.train_first"))
        bars(
            [t("word2vec.cosine")],
            {k_: [v] for k_, v in vals.items()},
            title=t("word2vec.tfidf_chart"),
            x_title=t("word2vec.representation"),
            y_title=t("word2vec.cosine"),
            key="w2v_tfidf_chart",
            name="word2vec-vs-tfidf",
        )
        st.caption(t("word2vec.order_note"))
    show_code(
        tfidf, ["tests/engine/embeddings/test_word2vec.py::test_tfidf_equals_sklearn_and_disjoint_texts_score_zero"]
    )
    qa_panel(["w2v-03", "bert-13-1"])
