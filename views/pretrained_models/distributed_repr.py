"""ptm-02, drawn in the encoders tab: one-hot vs distributed (dense) vectors of a few words, their cosines, and the
memory |V|² vs |V|·d of the two storages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.pretrained import distributed_repr as dr
from engine.pretrained import polysemy
from ui import resources
from ui.code import show_code
from ui.i18n import current_lang, t
from ui.widgets import bound, chart, matrix_frame
from viz import pretrained_models as vz

DEFAULT_WORDS = "cat kitten dog puppy king queen man woman"
SHOWN_DIMS = 48  # one-hot columns drawn; every other column of |V| is 0


@st.cache_data(show_spinner=False, max_entries=64)
def _static(words: tuple[str, ...]) -> tuple[dr.StaticVectors, tuple[int, int]]:
    """MiniLM's input-embedding rows of the words (the shared read-only model; only 8 rows are copied)."""
    tok, model = resources.minilm()
    table = model.embeddings.word_embeddings.weight
    return dr.static_vectors(tok, table, words), (int(table.shape[0]), int(table.shape[1]))


# Figures are built once per input and shared read-only (cache_resource, not cache_data): st.plotly_chart only reads
# a Figure (to_dict), while a cached dict, or a Figure unpickled from cache_data, is rebuilt and re-validated by
# plotly on every run — about twice the work per chart, and this tab reruns on every widget change in it.
@st.cache_resource(show_spinner=False, max_entries=64)
def _distributed_charts(words: tuple[str, ...], vocab: int, lang: str) -> dict:
    """Everything the ptm-02 section draws, per (words, |V|, language); the 16-panel bar chart alone takes ~0.1 s."""
    sv, (_, d) = _static(words)
    out: dict = {"unknown": sv.unknown, "few": len(sv.words) < 2}
    if not out["few"]:
        n, k = len(sv.words), min(vocab, SHOWN_DIMS)
        hot = dr.one_hot(range(n), vocab)  # the words take ids 0..n-1 of a |V|-word vocabulary
        dim = t("pretrained_models.dr_dim", lang)
        out["bars"] = vz.vector_bars(
            sv.words,
            hot[:, :k],
            sv.vectors,
            title=t("pretrained_models.dr_bars_title", lang, v=vocab, d=d),
            one_hot_title=t("pretrained_models.dr_onehot_panel", lang, k=k, v=vocab),
            dense_title=t("pretrained_models.dr_dense_panel", lang, d=d),
            x_one_hot=dim,
            x_dense=dim,
            y_title=t("pretrained_models.dr_value", lang),
        )
        out["vecs"] = pd.DataFrame(sv.vectors, columns=[f"d{j}" for j in range(d)])
        out["vecs"].insert(0, t("pretrained_models.word", lang), sv.words)
        dense = dr.cosine_matrix(sv.vectors)
        out["cos"] = vz.cosine_pair(
            dr.cosine_matrix(hot),
            dense,
            sv.words,
            title=t("pretrained_models.dr_cos_title", lang),
            left_title=t("pretrained_models.dr_cos_onehot", lang),
            right_title=t("pretrained_models.dr_cos_dense", lang),
        )
        out["cos_df"] = matrix_frame(dense, sv.words, sv.words)
    curve = dr.memory_curve(dr.VOCAB_SIZES, d)
    names = {
        "one_hot": t("pretrained_models.dr_mem_onehot", lang),
        "index": t("pretrained_models.dr_mem_index", lang),
        "embedding": t("pretrained_models.dr_mem_dense", lang, d=d),
    }
    sizes = {
        "one_hot": dr.one_hot_bytes(vocab),
        "index": dr.index_bytes(vocab),
        "embedding": dr.embedding_bytes(vocab, d),
    }
    out["mem"] = vz.memory_lines(
        curve["vocab"],
        {names[k]: curve[k] for k in names},
        vocab,
        {names[k]: float(v) for k, v in sizes.items()},
        title=t("pretrained_models.dr_mem_title", lang),
        x_title=t("pretrained_models.dr_vocab", lang),
        y_title=t("pretrained_models.dr_bytes", lang),
        chosen_label=t("pretrained_models.dr_chosen", lang, v=vocab),
    )
    out["mem_df"] = pd.DataFrame({"|V|": curve["vocab"], **{names[k]: curve[k] for k in names}})
    ratio = sizes["one_hot"] / sizes["embedding"]
    than = (
        t("pretrained_models.dr_smaller", lang, x=ratio)
        if ratio >= 1
        else t("pretrained_models.dr_larger", lang, x=1 / ratio)
    )
    out["text"] = t(
        "pretrained_models.dr_mem_text",
        lang,
        v=vocab,
        onehot=vz.human_bytes(sizes["one_hot"]),
        dense=vz.human_bytes(sizes["embedding"]),
        d=d,
        ratio=than,
    )
    return out


def render() -> None:
    """ptm-02. Called inside the encoders tab's fragment, so its widgets rerun that tab only."""
    st.subheader(t("pretrained_models.dr_title"))
    st.markdown(t("pretrained_models.dr_intro"))
    c1, c2 = st.columns([3, 2])
    text = bound(c1.text_input, t("pretrained_models.dr_words"), DEFAULT_WORDS, key="ptm_dr_words")
    vocab = bound(c2.select_slider, t("pretrained_models.dr_vocab"), dr.VOCAB_SIZES, 30_522, key="ptm_vocab")
    if polysemy.model_dir() is None:
        st.warning(t("pretrained_models.poly_missing"))
        return
    out = _distributed_charts(tuple(dr.parse_words(text)), int(vocab), current_lang())
    if out["unknown"]:
        st.warning(t("pretrained_models.dr_unknown", words=", ".join(out["unknown"])))
    if out["few"]:
        st.warning(t("pretrained_models.dr_few"))
    else:
        chart(out["bars"], key="ptm_dr_bars", name="one-hot-vs-dense-vectors", data=out["vecs"])
        chart(out["cos"], key="ptm_dr_cos", name="one-hot-vs-dense-cosine", data=out["cos_df"])
        show_code(
            dr.static_vectors,
            [
                "tests/engine/pretrained/test_distributed_repr.py::test_minilm_table_is_distributed_and_matches_polysemy_static_vectors",
                "tests/engine/pretrained/test_distributed_repr.py::test_cosine_matrix_matches_sklearn_and_handles_zero_rows",
            ],
        )
    chart(out["mem"], key="ptm_dr_mem", name="one-hot-vs-embedding-memory", data=out["mem_df"])
    st.markdown(out["text"])
    show_code(
        dr.memory_curve, ["tests/engine/pretrained/test_distributed_repr.py::test_memory_formulas_match_numpy_nbytes"]
    )
