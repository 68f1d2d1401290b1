"""Tab `fasttext`: subwords. The character n-grams of a word, fastText vectors for a word the corpus never had,
and supervised fastText (a topic classifier with a Huffman tree over the labels)."""

import numpy as np
import streamlit as st

from engine.core.corpus import build_vocab
from engine.embeddings.fasttext import (
    FastText,
    FastTextClassifier,
    accuracy,
    compute_ngrams,
    label_by_keywords,
    train_classifier,
)
from engine.embeddings.similarity import cosine
from engine.embeddings.word2vec import Word2VecConfig, prepare, train_word2vec
from ui.code import show_code
from ui.i18n import t
from ui.training import training_panel
from ui.widgets import bound, chart, qa_panel
from views.word2vec.common import PROBES, get_corpus, neighbour_table
from viz import word2vec as vz


def _subwords(toy: str) -> None:
    """fastText vectors from character n-grams, trained on the toy corpus; neighbours of a possibly unseen word."""
    f1, f2, f3 = st.columns([2, 1, 1])
    oov = bound(f1.text_input, t("word2vec.ft_word"), t("word2vec.ft_default"), key="w2v_ft_word").strip()[:40]
    lo = bound(f2.slider, "min_n", 1, 6, 3, key="w2v_minn")
    hi = bound(f3.slider, "max_n", 1, 6, 6, key="w2v_maxn")
    grams = compute_ngrams(oov, lo, max(lo, hi)) if oov else []
    st.markdown(t("word2vec.ft_grams", n=len(grams)) + " " + " ".join(f"`{g}`" for g in grams[:60]))
    ft_corpus = get_corpus(toy, None)

    def make_ft():
        ft_cfg = Word2VecConfig(dim=50, epochs=5, seed=0)
        data = prepare(ft_corpus.sentences, ft_cfg)
        model = FastText(ft_cfg, data.vocab, lo, max(lo, hi))
        return model, train_word2vec(model, data, ft_cfg)

    ft = training_panel("w2v_ft", make_ft, max_seconds=30)
    if ft is not None and ft.usable and oov:
        vec, vocab = ft.model.word_vector(oov), ft.model.vocab
        sims = sorted(((w, cosine(vec, ft.model.vectors[i])) for i, w in enumerate(vocab.itos)), key=lambda x: -x[1])
        st.caption(t("word2vec.ft_known" if oov in vocab.stoi else "word2vec.ft_oov", word=oov))
        chart(
            vz.grouped_bars(
                [w for w, _ in sims[:10]],
                {t("word2vec.cosine"): [s for _, s in sims[:10]]},
                title=t("word2vec.ft_chart", word=oov),
                x_title=t("word2vec.word"),
                y_title=t("word2vec.cosine"),
            ),
            key="w2v_ft_chart",
            name="fasttext-neighbours",
            data=neighbour_table(sims[:10]),
        )
    show_code(
        FastText,
        [
            "tests/engine/embeddings/test_word2vec.py::test_fasttext_input_is_mean_of_word_and_ngrams",
            "tests/engine/embeddings/test_word2vec.py::test_ngrams_and_hash_equal_gensim",
        ],
    )


def _classifier(toy: str) -> None:
    """Supervised fastText on the toy corpus's lines labelled by topic keywords; held-out accuracy, label tree."""
    st.subheader(t("word2vec.ftc_title"))
    st.markdown(t("word2vec.ftc_intro"))
    groups = [g.split() for g in PROBES[toy].split("|")]
    docs, labels = label_by_keywords(get_corpus(toy, None).sentences[::3], groups)  # every 3rd line: a small set
    cut = int(0.8 * len(docs))
    bigrams = bound(st.checkbox, t("word2vec.ftc_bigrams"), key="w2v_ftc_bigrams")

    def make_ftc():
        model = FastTextClassifier(
            build_vocab(docs[:cut]), np.bincount(labels[:cut], minlength=len(groups)), bigrams=bigrams
        )
        return model, train_classifier(model, docs[:cut], labels[:cut])

    ftc = training_panel("w2v_ftc", make_ftc, max_seconds=30, metric="acc")
    if ftc is not None and ftc.usable:
        order = ftc.model.order
        st.metric(t("word2vec.ftc_acc", n=len(docs) - cut), f"{accuracy(ftc.model, docs[cut:], labels[cut:]):.3f}")
        chart(
            vz.huffman_tree(
                ftc.model.tree,
                [f"{groups[i][0]}…" for i in order],
                np.bincount(labels[:cut], minlength=len(groups))[order],
                title=t("word2vec.ftc_tree"),
            ),
            key="w2v_ftc_tree",
            name="fasttext-label-tree",
        )
    show_code(
        FastTextClassifier,
        ["tests/engine/embeddings/test_word2vec.py::test_fasttext_classifier_label_tree_and_training"],
    )


def render(corpus) -> None:
    st.markdown(t("word2vec.ft_intro"))
    toy = "toy_zh" if corpus is not None and corpus.lang == "zh" else "toy_en"  # the toy corpus in its language
    _subwords(toy)
    _classifier(toy)
    qa_panel(["w2v-06"])
