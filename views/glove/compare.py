"""?glove_tab=compare: GloVe against word2vec (trained here) and LSA (PPMI + SVD): neighbours, time, word
similarity and word maps; then new text added to the counts without a recount (w2v-07)."""

import time

import numpy as np
import pandas as pd
import streamlit as st

from engine.core import corpus as C
from engine.embeddings.glove import Counts, Trained, extend_counts
from engine.embeddings.lsa import lsa_vectors
from engine.embeddings.similarity import neighbours, pca_2d, word_pairs_spearman
from engine.embeddings.word2vec import Word2Vec, Word2VecConfig, prepare, train_word2vec
from ui.code import show_code
from ui.i18n import t
from ui.training import InputError, get_job, training_panel
from ui.widgets import bound, chart
from views.glove.common import setting, text_setting, warn_unknown, words_of
from viz import glove as V


@st.cache_resource(max_entries=4, show_spinner=False)
def get_lsa(key: tuple, k: int, _counts: Counts) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    return lsa_vectors(_counts.X, max(1, min(k, len(_counts.vocab) - 1))), time.perf_counter() - t0


def render(counts: Counts, ckey: tuple, corp: C.Corpus, dflt: tuple, tr: Trained | None) -> None:
    vocab = counts.vocab
    c = st.columns([2, 1, 1])
    word = bound(c[0].text_input, t("glove.cmp_word"), "", placeholder=dflt[1], key="glove_cmp_word")
    w2v_epochs = bound(c[1].number_input, t("glove.w2v_epochs"), 1, 20, 5, key="glove_w2v_epochs")
    dim = int(setting("glove_dim", 50, 1, 300))
    cfg = Word2VecConfig(
        sg=True,
        dim=dim,
        window=counts.window,
        epochs=int(w2v_epochs),
        min_count=int(st.session_state.get("glove_min_count", 5) or 5),
        max_vocab=20_000,
    )

    def make_w2v():
        try:
            data = prepare(corp.sentences, cfg)
            cfg.check()
        except ValueError:
            raise InputError(t("glove.err_w2v")) from None
        model = Word2Vec(cfg, data.vocab)
        return Trained(model), train_word2vec(model, data, cfg)

    st.markdown(t("glove.w2v_train"))
    w2v = training_panel("glove_w2v", make_w2v, max_seconds=60)
    lsa_on = bound(c[2].toggle, t("glove.lsa_on"), False, key="glove_lsa", help=t("glove.lsa_help"))
    methods = []
    if tr is not None and tr.counts is counts:
        methods.append(("GloVe", tr.model.vectors("sum"), vocab, counts.seconds + get_job("glove").seconds))
    if w2v is not None and w2v.usable:
        methods.append(("word2vec", w2v.model.model.vectors, w2v.model.model.vocab, w2v.seconds))
    if lsa_on:
        vecs, secs = get_lsa(ckey, dim, counts)
        methods.append(("LSA (PPMI + SVD)", vecs, vocab, counts.seconds + secs))
    if not methods:
        st.info(t("glove.cmp_empty"))
    known, unknown = words_of(word, dflt[1], vocab)
    warn_unknown(unknown)
    if methods:
        results(methods, known, corp, dflt, vocab)
    show_code(
        lsa_vectors,
        [
            "tests/engine/embeddings/test_lsa.py::test_ppmi_equals_brute_force",
            "tests/engine/embeddings/test_lsa.py::test_truncated_svd_equals_numpy_rank_k",
        ],
    )
    st.markdown(t("glove.compare_md"))
    add_text(counts, corp)
    show_code(
        extend_counts,
        [
            "tests/engine/embeddings/test_glove.py::test_extend_counts_reports_an_exact_update",
            "tests/engine/embeddings/test_glove.py::test_incremental_counts_equal_rebuild",
        ],
    )


def results(methods: list, known: list[str], corp: C.Corpus, dflt: tuple, vocab) -> None:
    """One row per method (neighbours, seconds, word similarity), then a word map per method."""
    rows = []
    for name, vecs, voc, secs in methods:
        nb = neighbours(vecs, voc, known[0], topn=8) if known and known[0] in voc.stoi else []
        rho, n = word_pairs_spearman(vecs, voc) if corp.lang == "en" else (float("nan"), 0)
        rows.append(
            {
                t("glove.method"): name,
                t("glove.neighbours", word=known[0] if known else "—"): ", ".join(w for w, _ in nb) or "—",
                t("glove.seconds"): round(secs, 1),
                t("glove.wordsim"): f"{rho:.3f} ({n})" if n >= 10 else "—",
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(t("glove.wordsim_note"))
    words, _ = words_of(text_setting("glove_words"), dflt[0], vocab)
    cols = st.columns(len(methods))
    for col, (name, vecs, voc, _) in zip(cols, methods):
        ws = [w for w in words if w in voc.stoi]
        if len(ws) >= 2:
            chart(
                V.word_map(pca_2d(vecs[[voc.stoi[w] for w in ws]]), ws, title=t("glove.cmp_map_title", name=name)),
                key=f"glove_cmp_map_{name[:4]}",
                name=f"glove-compare-map-{name.split()[0].lower()}",
                on=col,
            )


def add_text(counts: Counts, corp: C.Corpus) -> None:
    """w2v-07: new text means new counts for GloVe (additive, so only the new sentences are counted)."""
    text = st.text_area(t("glove.add_label"), "", key="glove_add", max_chars=20_000, help=t("glove.add_help"))
    if not (text or "").strip():
        return
    new = C.encode(
        [tok for sent in C.split_sentences(text[:20_000]) if (tok := C.tokenize(sent, corp.lang))], counts.vocab
    )
    if not new:
        st.warning(t("glove.add_none"))
        return
    r = extend_counts(counts, new)
    st.success(
        t(
            "glove.add_result",
            sentences=len(new),
            changed=r["changed"],
            inc=1000 * r["inc_s"],
            full=1000 * r["full_s"],
            same=t("glove.yes") if r["same"] else t("glove.no"),
        )
    )
