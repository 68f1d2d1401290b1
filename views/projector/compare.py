"""?projector_tab=compare: the same words in two embeddings side by side (same method, dimensions and seed; the
right map rotated onto the left one), and how far the two agree on each word's nearest neighbours."""

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from engine.embeddings.projector import align, common_words, nearest, neighbour_overlap, split_words
from ui.code import show_code
from ui.i18n import t
from ui.tabs import url_select
from ui.widgets import bound, chart, figure
from views.projector.common import View, map_figure, plain, points_frame, projection
from viz import projector as vz

MAX_WORDS = 1000  # two projections per rerun
OVERLAP_K = 10
SHOWN_BARS = 30
ALIGN_TESTS = ["tests/engine/embeddings/test_projector.py::test_align_undoes_a_rotation_scale_and_shift"]
OVERLAP_TESTS = ["tests/engine/embeddings/test_projector.py::test_neighbour_overlap_equals_brute_force_sets"]


def _second(view: View, found: list) -> tuple[View | None, bool]:
    others = [s for s in found if s.code != view.code]
    if not others:
        st.info(t("projector.compare_need_two"))
        return None, False
    c1, c2 = st.columns([2, 1])
    with c1:
        code = url_select(t("projector.second"), "projector_emb2", [s.code for s in others], [s.label for s in others])
    other = next(s for s in others if s.code == code)
    with st.spinner(t("projector.loading", name=other.label)):
        emb = other.load()
    query = emb.lookup(view.query) if view.query else None
    near = nearest(emb, query, len(view.neighbours)) if query and view.neighbours else []
    aligned = bound(c2.toggle, t("projector.align"), True, key="projector_align", help=t("projector.align_help"))
    return replace(view, code=other.code, label=other.label, emb=emb, query=query, neighbours=near), aligned


def _words(view: View, right: View) -> tuple[list[str], list[str]]:
    """The word list in each table's spelling: typed (known to both), else the left one's most frequent."""
    typed = bound(
        st.text_area,
        t("projector.words"),
        "",
        max_chars=5000,
        key="projector_words",
        placeholder=t("projector.words_placeholder"),
        height=80,
    )
    limit = min(view.n, MAX_WORDS)
    if not (typed or "").strip():
        words = common_words(view.emb, right.emb, limit)
        if view.query and right.query and view.query not in words:
            words.append(view.query)
        return words, [right.emb.lookup(w) for w in words]
    pairs, unknown = [], []
    for w in split_words(typed, limit):
        a, b = view.emb.lookup(w), right.emb.lookup(w)
        (pairs.append((a, b)) if a and b else unknown.append(plain(w, 30)))
    if unknown:
        st.warning(t("projector.unknown_in_one", words=", ".join(unknown[:12])))
    pairs = list(dict.fromkeys(pairs))
    return [a for a, _ in pairs], [b for _, b in pairs]


def render(view: View, found: list) -> None:
    right, aligned = _second(view, found)
    if right is None:
        return
    left_words, right_words = _words(view, right)
    st.caption(t("projector.compare_info", n=len(left_words)))
    xa = projection(view, left_words)
    xb = projection(right, right_words) if xa is not None else None
    if xa is None or xb is None:
        return
    if aligned:
        xb = align(xa, xb)
    cols = st.columns(2)
    for i, (col, v, xy, ws) in enumerate(((cols[0], view, xa, left_words), (cols[1], right, xb, right_words))):
        title = t("projector.compare_title", name=v.label, method=v.method_label, dims=v.dims)
        chart(
            map_figure(v, xy, ws, title),
            key=f"projector_cmp_{i}",
            name=f"projector-compare-{v.code}-{v.method}-{v.dims}d",
            data=points_frame(v, xy, ws),
            on=col,
        )
    if aligned:
        show_code(align, ALIGN_TESTS)
    overlap = neighbour_overlap(view.emb.rows(left_words), right.emb.rows(right_words), OVERLAP_K)
    k = min(OVERLAP_K, len(left_words) - 1)
    st.metric(t("projector.overlap_mean", k=k), f"{float(np.mean(overlap)):.2f}")
    order = np.argsort(overlap, kind="stable")[:SHOWN_BARS]
    df = pd.DataFrame({t("projector.word"): left_words, t("projector.overlap"): np.round(overlap, 3)})
    chart(
        figure(
            vz.overlap_bars,
            tuple(left_words[i] for i in order),
            tuple(float(overlap[i]) for i in order),
            title=t("projector.overlap_title", k=k, n=len(order)),
            x_title=t("projector.overlap"),
            y_title=t("projector.word"),
        ),
        key="projector_overlap",
        name="projector-neighbour-overlap",
        data=df,
    )
    st.caption(t("projector.overlap_note"))
    show_code(neighbour_overlap, OVERLAP_TESTS)
