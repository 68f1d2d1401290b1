"""Tab `train`: CBOW / skip-gram trained live on the shared corpus (a live map of probe words while it runs), then
neighbours, similarity and analogies of the trained vectors."""

import pandas as pd
import streamlit as st

from engine.embeddings.similarity import analogy, missing, most_similar, neighbours, pca_2d, similarity
from engine.embeddings.word2vec import LIMITS, Word2Vec, Word2VecConfig, Word2VecInputError, prepare, train_word2vec
from ui.code import show_code
from ui.i18n import t
from ui.training import InputError, training_panel
from ui.widgets import bound, chart, qa_panel
from views.word2vec.common import neighbour_table, probe, vectors
from viz import word2vec as vz


def _live_map(job):
    vecs, vocab = vectors(job)
    words, groups = probe(vocab, getattr(job.model, "corpus_name", ""))
    if len(words) >= 3:
        xy = pca_2d(vecs[[vocab.stoi[w] for w in words]])
        chart(
            vz.word_map(xy, words, groups=groups, title=t("word2vec.map_title")),
            key="w2v_map",
            name="word2vec-map",
            data=pd.DataFrame(
                {t("word2vec.word"): words, t("word2vec.group"): groups, "PC 1": xy[:, 0], "PC 2": xy[:, 1]}
            ),
        )


def _config() -> Word2VecConfig:
    """The architecture, output layer and hyper-parameters, one widget each."""
    c2, c3 = st.columns(2)
    sg = bound(c2.radio, t("word2vec.arch"), ["skip-gram", "CBOW"], key="w2v_arch", horizontal=True) == "skip-gram"
    hs = bound(c3.radio, t("word2vec.output"), ["NS", "HS"], key="w2v_out", horizontal=True) == "HS"
    n = st.columns(8)
    cfg_kw = dict(
        dim=bound(n[0].number_input, t("word2vec.dim"), 0, 1000, 50, key="w2v_dim"),
        window=bound(n[1].number_input, t("word2vec.window"), 0, 50, 5, key="w2v_window"),
        negative=bound(n[2].number_input, t("word2vec.negative"), 0, 100, 5, key="w2v_neg"),
        epochs=bound(n[3].number_input, t("word2vec.epochs"), 0, 200, 5, key="w2v_epochs"),
        min_count=bound(n[4].number_input, t("word2vec.min_count"), 0, 1000, 1, key="w2v_minc"),
        sample=float(
            bound(n[5].selectbox, t("word2vec.sample"), ["1e-3", "1e-4", "1e-5", "1e-2", "0"], key="w2v_sample")
        ),
        lr=bound(n[6].number_input, t("word2vec.lr"), 0.0, 1e9, 0.025, format="%.4f", key="w2v_lr"),
        seed=bound(n[7].number_input, t("word2vec.seed"), 0, 10**6, 0, key="w2v_seed"),
    )
    return Word2VecConfig(sg=sg, hs=hs, **cfg_kw)


def _known(where, vocab, words) -> bool:
    """True if the vocabulary has every word; else a warning naming the others."""
    unknown = missing(vocab, words)
    if unknown:
        where.warning(t("word2vec.unknown", words=", ".join(w[:40] for w in unknown)))
    return not unknown


def _results(job) -> None:
    """Neighbours of a word, the similarity of two and an analogy, from the trained vectors."""
    vecs, vocab = vectors(job)
    st.subheader(t("word2vec.results"))
    r1, r2 = st.columns(2)
    word = bound(r1.text_input, t("word2vec.query"), key="w2v_word").strip()
    word = word or (probe(vocab, job.model.corpus_name)[0] + vocab.itos)[0]
    if _known(r1, vocab, [word]):
        r1.dataframe(neighbour_table(neighbours(vecs, vocab, word, 10)), hide_index=True)
    s1, s2 = (bound(r1.text_input, t(f"word2vec.sim_{x}"), key=f"w2v_sim_{x}").strip() for x in "ab")
    if s1 and s2 and _known(r1, vocab, [s1, s2]):
        r1.metric(t("word2vec.sim_result", a=s1[:40], b=s2[:40]), f"{similarity(vecs, vocab, s1, s2):.3f}")
    a, b, c = (bound(r2.text_input, t(f"word2vec.analogy_{x}"), key=f"w2v_an_{x}").strip() for x in "abc")
    if a and b and c:
        if _known(r2, vocab, [a, b, c]):
            r2.dataframe(neighbour_table(analogy(vecs, vocab, a, b, c)), hide_index=True)
    else:
        r2.caption(t("word2vec.analogy_hint"))
    show_code(most_similar, ["tests/engine/embeddings/test_word2vec.py::test_most_similar_and_analogy_equal_gensim"])


def render(corpus, name: str) -> None:
    cfg = _config()
    for code in cfg.problems():
        st.error(t(f"word2vec.err_{code}", low=LIMITS.get(code, (0, 1))[0], high=LIMITS.get(code, (0, 1))[1]))

    def make_run():
        if corpus is None:
            raise InputError(t("word2vec.err_no_corpus"))
        try:
            data = prepare(corpus.sentences, cfg)
        except Word2VecInputError as e:
            raise InputError(t(f"word2vec.err_{e.code}", low=0, high=0)) from None
        model = Word2Vec(cfg, data.vocab)
        model.corpus_name = name  # the live map picks its probe words by corpus
        return model, train_word2vec(model, data, cfg)

    job = training_panel(
        "w2v", make_run, max_seconds=60, live_view=_live_map, disabled=bool(cfg.problems()) or corpus is None
    )
    if job is not None and job.usable:
        _results(job)
    show_code(
        Word2Vec.forward,
        [
            "tests/engine/embeddings/test_word2vec.py::test_ns_loss_and_gradients_closed_form",
            "tests/engine/embeddings/test_word2vec.py::test_hs_loss_is_minus_log_path_product_and_probabilities_sum_to_one",
            "tests/engine/embeddings/test_word2vec.py::test_training_separates_clusters_like_gensim",
        ],
    )
    qa_panel(["w2v-01"])
