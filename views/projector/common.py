"""What the projector's tabs share: the chosen view (embedding, points, method, dimensions, seed, searched word),
the cached projection, the map figure and the messages for input the projector cannot use."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from engine.embeddings.projector import Embedding, ProjectorInputError, project
from ui.i18n import t
from viz import projector as vz

METHODS = {"PCA": "pca", "t-SNE": "tsne", "UMAP": "umap"}  # shown label (language-neutral) -> engine code
DIMS = {"2D": 2, "3D": 3}
AXIS = {"pca": "PC", "tsne": "t-SNE", "umap": "UMAP"}
ERRORS = {"too_few", "too_many", "not_finite", "method", "dims", "seed", "shape"}
_UMAP_READY: set = set()  # holds True once this process has run UMAP (numba compiled it)


@dataclass
class View:
    code: str  # which embedding (sources.CODES)
    label: str
    emb: Embedding
    n: int  # the n most frequent words are drawn
    method: str  # engine code: pca | tsne | umap
    dims: int
    seed: int
    params: dict = field(default_factory=dict)  # perplexity (t-SNE) or n_neighbors (UMAP)
    query: str | None = None  # the searched word as the table spells it (None: none, or unknown)
    neighbours: list = field(default_factory=list)  # [(word, cosine)] of the query over the whole table

    @property
    def method_label(self) -> str:
        return next(k for k, v in METHODS.items() if v == self.method)


def plain(text: object, limit: int = 40) -> str:
    """Typed text for a message: no markdown, HTML brackets or line breaks survive; cut to `limit` characters."""
    s = re.sub(r"[`*_~#|\[\]()<>{}\\$\n\r\t\x00-\x1f\u202a-\u202e]", " ", str(text)).strip()
    return s[:limit] + ("…" if len(s) > limit else "")


def digest(x: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(x).tobytes(), digest_size=16).hexdigest()


@st.cache_data(show_spinner=False, max_entries=64)
def _projection(code: str, key: str, words: tuple, method: str, dims: int, seed: int, params: tuple, _x):
    """Keyed by (embedding, a digest of its rows, words, method, dims, seed, parameters); shared by sessions."""
    return project(_x, method, dims, seed, **dict(params))


def projection(view: View, words: list[str]) -> np.ndarray | None:
    """The words' points by the view's method (cached), or None after a message saying why not."""
    x = view.emb.rows(words)
    note = t("projector.computing", method=view.method_label, n=len(words))
    if view.method == "umap" and not _UMAP_READY:
        note += " " + t("projector.umap_first")
    try:
        with st.spinner(note):
            out = _projection(
                view.code, digest(x), tuple(words), view.method, view.dims, view.seed, tuple(view.params.items()), x
            )
    except ProjectorInputError as e:
        code = e.code if e.code in ERRORS else "shape"
        st.warning(t(f"projector.err_{code}", method=view.method_label, n=len(words)))
        return None
    if view.method == "umap":
        _UMAP_READY.add(True)
    return out


def roles(words: list[str], view: View) -> list[str]:
    near = {w for w, _ in view.neighbours}
    return ["query" if w == view.query else "neighbour" if w in near else "word" for w in words]


def axis_titles(view: View) -> list[str]:
    return [f"{AXIS[view.method]} {i + 1}" for i in range(view.dims)]


def map_figure(view: View, xy: np.ndarray, words: list[str], title: str):
    names = {r: t(f"projector.role_{r}") for r in vz.ROLES}
    return vz.word_map(xy, words, roles(words, view), title=title, axis_titles=axis_titles(view), role_names=names)


def points_frame(view: View, xy: np.ndarray, words: list[str]) -> pd.DataFrame:
    """The drawn points as a table (the chart's CSV): word, role and coordinates."""
    df = pd.DataFrame(xy, columns=axis_titles(view))
    role_names = [t(f"projector.role_{r}") for r in roles(words, view)]
    df.insert(0, t("projector.role"), role_names)
    df.insert(0, t("projector.word"), words)
    return df
