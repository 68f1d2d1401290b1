"""?projector_tab=export: the drawn words' vectors as a word2vec text file (gensim's
KeyedVectors.load_word2vec_format reads it) and as the TensorFlow Embedding Projector's vectors.tsv + metadata.tsv."""

import streamlit as st

from engine.embeddings.projector import projector_tsv, word2vec_text
from ui.code import show_code
from ui.i18n import t
from views.projector.common import View, digest
from views.projector.map import words_of

W2V_TESTS = [
    "tests/engine/embeddings/test_projector.py::test_word2vec_text_loads_in_gensim_with_the_same_neighbours",
    "tests/views/projector/test_projector_page.py::test_a_trained_word2vec_is_projected_compared_and_exported",
]
TSV_TESTS = ["tests/engine/embeddings/test_projector.py::test_projector_tsv_pair_has_a_row_per_word_and_round_trips"]


@st.cache_data(show_spinner=False, max_entries=8)
def _files(key: str, words: tuple, _x) -> tuple[bytes, bytes, bytes]:
    """(word2vec text, vectors.tsv, metadata.tsv) as UTF-8, keyed by a digest of the rows and the words."""
    vectors, metadata = projector_tsv(words, _x)
    return word2vec_text(words, _x).encode("utf-8"), vectors.encode("utf-8"), metadata.encode("utf-8")


def render(view: View) -> None:
    words = words_of(view)
    x = view.emb.rows(words)
    st.markdown(t("projector.export_intro", n=len(words), dim=view.emb.dim, name=view.label))
    w2v, vectors, metadata = _files(digest(x), tuple(words), x)
    c = st.columns(3)
    stem = f"projector-{view.code}-{len(words)}"
    for col, (label, data, name, mime, key) in zip(
        c,
        (
            (t("projector.download_w2v"), w2v, f"{stem}-word2vec.txt", "text/plain", "w2v"),
            (t("projector.download_vectors"), vectors, f"{stem}-vectors.tsv", "text/tab-separated-values", "vec"),
            (t("projector.download_metadata"), metadata, f"{stem}-metadata.tsv", "text/tab-separated-values", "meta"),
        ),
    ):
        col.download_button(
            label,
            data,
            file_name=name,
            mime=mime,
            key=f"projector_dl_{key}",
            on_click="ignore",
            icon=":material/download:",
        )
    st.markdown(t("projector.export_howto"))
    show_code(word2vec_text, W2V_TESTS)
    show_code(projector_tsv, TSV_TESTS)
