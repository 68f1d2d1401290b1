"""?projector_tab=map: the chosen embedding's most frequent words as points, the searched word and its nearest
neighbours (cosine over the whole table) highlighted, and the neighbours as a table."""

import pandas as pd
import streamlit as st

from engine.embeddings.projector import nearest, pca, top_words, tsne, umap
from ui.code import show_code
from ui.i18n import t
from ui.widgets import chart
from views.projector.common import View, map_figure, plain, points_frame, projection

PCA_TESTS = [
    "tests/engine/embeddings/test_projector.py::test_pca_equals_sklearn_and_svd_up_to_sign",
    "tests/engine/embeddings/test_projector.py::test_pca_of_a_rank_one_table_pads_with_zeros",
]
TSNE_TESTS = [
    "tests/engine/embeddings/test_projector.py::test_tsne_replays_with_its_seed",
    "tests/engine/embeddings/test_projector.py::test_tsne_reduces_wide_tables_by_pca_first",
]
UMAP_TESTS = ["tests/engine/embeddings/test_projector.py::test_umap_replays_with_its_seed"]
NEAREST_TESTS = [
    "tests/engine/embeddings/test_projector.py::test_neighbours_equal_brute_force_cosine",
    "tests/engine/embeddings/test_projector.py::test_neighbours_agree_with_the_similarity_module",
    "tests/views/projector/test_projector_page.py::test_a_trained_word2vec_is_projected_compared_and_exported",
]


def words_of(view: View) -> list[str]:
    """The n most frequent words, and the searched word and its neighbours wherever they rank."""
    extra = [view.query, *(w for w, _ in view.neighbours)] if view.query else []
    return top_words(view.emb, view.n, extra)


def render(view: View) -> None:
    words = words_of(view)
    xy = projection(view, words)
    if xy is None:
        return
    title = t("projector.map_title", name=view.label, method=view.method_label, dims=view.dims, n=len(words))
    if view.neighbours:
        a, b = st.columns([3, 1])
    else:
        a, b = st.container(), None
    chart(
        map_figure(view, xy, words, title),
        key="projector_map",
        name=f"projector-{view.code}-{view.method}-{view.dims}d",
        data=points_frame(view, xy, words),
        on=a,
    )
    a.caption(t("projector.map_note", n=min(view.n, len(view.emb)), seed=view.seed))
    if b is not None:
        b.markdown(t("projector.neighbours_of", word=plain(view.query)))
        b.dataframe(
            pd.DataFrame(
                [(w, round(c, 4)) for w, c in view.neighbours],
                columns=[t("projector.word"), t("projector.cosine")],
            ),
            hide_index=True,
            width="stretch",
        )
    elif view.query is None:
        st.caption(t("projector.search_hint"))
    _code(view)


def _code(view: View) -> None:
    """The engine function behind the map (the chosen method), and the neighbour search."""
    if view.method == "pca":
        show_code(pca, PCA_TESTS)
    elif view.method == "tsne":
        show_code(tsne, TSNE_TESTS)
    else:
        show_code(umap, UMAP_TESTS)
    if view.neighbours:
        show_code(nearest, NEAREST_TESTS)
