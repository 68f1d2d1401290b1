"""An embedding projector: any word-vector table (word2vec, GloVe, LSA, MiniLM's input embeddings) drawn in 2-D or
3-D with PCA, t-SNE or UMAP, nearest neighbours by cosine, and the two export formats other tools read.

- `Embedding(words, vectors)`: rows in frequency order (the most frequent word first), so "the n most frequent
  words" is the first n rows.
- `project(x, method, dims, seed)`: PCA (centred SVD, signs fixed), t-SNE (scikit-learn, Barnes-Hut) or UMAP
  (umap-learn). t-SNE and UMAP take a seed and replay exactly with it: their random choices go through it, and
  they run on one thread (a parallel sum may add in another order). Inputs wider than 50 columns are first
  reduced to 50 by PCA before t-SNE (the usual practice, and what the TensorFlow Embedding Projector does).
- `nearest(emb, word, k)`: the k words of highest cosine with `word` over the whole table (the word excluded).
- `word2vec_text` / `projector_tsv`: the word2vec text format (gensim's KeyedVectors.load_word2vec_format reads
  it) and the TensorFlow Embedding Projector's vectors.tsv + metadata.tsv pair; `read_projector_tsv` reads the
  pair back.
"""

from __future__ import annotations

import re
import warnings
from typing import Iterable, Sequence

import numpy as np

from engine.core.errors import InputError

METHODS = ("pca", "tsne", "umap")
DIMS = (2, 3)
MAX_POINTS = 5000  # a page offers fewer: t-SNE and UMAP take seconds per thousand points
MIN_POINTS = {"pca": 2, "tsne": 6, "umap": 6}
TSNE_PCA_DIMS = 50
MAX_SEED = 2**32 - 1


class ProjectorInputError(InputError):
    """A request the projector cannot draw. `code` names the reason for an i18n message; str() is English."""


class Embedding:
    """A word-vector table: `words[i]` is row i of `vectors` (V, d); the most frequent word first."""

    def __init__(self, words: Sequence[str], vectors: np.ndarray):
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(words) != vectors.shape[0]:
            raise ProjectorInputError("shape", f"{len(words)} words for a table of shape {vectors.shape}")
        self.words = list(words)
        self.vectors = vectors
        self.stoi = {w: i for i, w in enumerate(self.words)}  # the first row of a repeated word wins
        if len(self.stoi) != len(self.words):
            self.stoi = {}
            for i, w in enumerate(self.words):
                self.stoi.setdefault(w, i)
        self.norms = np.linalg.norm(self.vectors.astype(np.float64), axis=1)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.stoi

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def lookup(self, word: str) -> str | None:
        """The word as the table spells it: as typed, else lower-cased; None if unknown."""
        word = (word or "").strip()
        for w in (word, word.lower()):
            if w in self.stoi:
                return w
        return None

    def rows(self, words: Iterable[str]) -> np.ndarray:
        return self.vectors[[self.stoi[w] for w in words]]


# ---------------------------------------------------------------- which words
def top_words(emb: Embedding, n: int, extra: Iterable[str] = ()) -> list[str]:
    """The n most frequent words, then the known `extra` words that are not among them (each once)."""
    out = list(dict.fromkeys(emb.words[: max(int(n), 0)]))
    seen = set(out)
    for w in extra:
        if w in emb.stoi and w not in seen:
            out.append(w)
            seen.add(w)
    return out


def common_words(a: Embedding, b: Embedding, n: int) -> list[str]:
    """The first n words of `a` (frequency order) that `b` knows too."""
    return [w for w in dict.fromkeys(a.words) if w in b.stoi][: max(int(n), 0)]


def split_words(text: str, limit: int) -> list[str]:
    """The words of a typed list (spaces, commas, Chinese commas, semicolons), each once, at most `limit`."""
    words = [w for w in re.split(r"[\s,，、;；]+", (text or "").strip()) if w]
    return list(dict.fromkeys(words))[: max(int(limit), 0)]


# ---------------------------------------------------------------- projections
def _check(x: np.ndarray, method: str, dims: int, seed: int) -> np.ndarray:
    if method not in METHODS:
        raise ProjectorInputError("method", f"method must be one of {METHODS}, not {method!r}")
    if dims not in DIMS:
        raise ProjectorInputError("dims", f"dims must be 2 or 3, not {dims!r}")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise ProjectorInputError("seed", f"seed must be an integer in [0, {MAX_SEED}], not {seed!r}")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ProjectorInputError("shape", f"a (points, dims) matrix is needed, not shape {x.shape}")
    if x.shape[0] > MAX_POINTS:
        raise ProjectorInputError("too_many", f"at most {MAX_POINTS} points, not {x.shape[0]}")
    if x.shape[0] < MIN_POINTS[method]:
        raise ProjectorInputError("too_few", f"{method} needs at least {MIN_POINTS[method]} points")
    if not np.isfinite(x).all():
        raise ProjectorInputError("not_finite", "the vectors hold NaN or infinity")
    return x


def pca(x: np.ndarray, dims: int = 2) -> np.ndarray:
    """Rows on the first `dims` principal components (centred SVD), (n, dims); each component's sign is fixed so
    that its largest-magnitude loading is positive. Missing components (rank < dims) are zeros."""
    x = np.asarray(x, dtype=np.float64)
    x = x - x.mean(0, keepdims=True)
    if x.shape[0] < 2:
        return np.zeros((x.shape[0], dims))
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    comps = vt[:dims]
    comps = comps * np.sign(comps[np.arange(comps.shape[0]), np.abs(comps).argmax(1)])[:, None]
    out = x @ comps.T
    return np.pad(out, ((0, 0), (0, dims - out.shape[1])))


def tsne(x: np.ndarray, dims: int = 2, seed: int = 0, perplexity: float = 30.0, max_iter: int = 500) -> np.ndarray:
    """scikit-learn's Barnes-Hut t-SNE from a seeded random start (with a PCA start the seed would change nothing);
    perplexity capped below (n - 1) / 3."""
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    x = np.asarray(x, dtype=np.float64)
    if x.shape[1] > TSNE_PCA_DIMS and x.shape[0] > TSNE_PCA_DIMS:
        x = pca(x, TSNE_PCA_DIMS)
    perp = float(min(max(perplexity, 1.0), (x.shape[0] - 1) / 3))
    model = TSNE(
        n_components=dims, perplexity=perp, init="random", learning_rate="auto", max_iter=max_iter, random_state=seed
    )
    with threadpool_limits(1):  # one thread: the same sums in the same order, so a seed replays exactly
        return model.fit_transform(x).astype(np.float64)


def umap(x: np.ndarray, dims: int = 2, seed: int = 0, n_neighbors: int = 15, min_dist: float = 0.1) -> np.ndarray:
    """umap-learn's UMAP, seeded (it then runs on one thread). Imported here: numba compiles it on first use."""
    import umap as umap_learn  # seconds to import (numba): only when asked for
    from threadpoolctl import threadpool_limits

    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    model = umap_learn.UMAP(
        n_components=dims,
        n_neighbors=int(min(max(n_neighbors, 2), n - 1)),
        min_dist=float(min_dist),
        init="spectral" if n > dims + 8 else "random",  # the spectral init needs a few more points than dims
        random_state=seed,
        n_jobs=1,
    )
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")  # "n_jobs overridden by setting random_state", numba notices
        return np.asarray(model.fit_transform(x), dtype=np.float64)


def project(x: np.ndarray, method: str = "pca", dims: int = 2, seed: int = 0, **params) -> np.ndarray:
    """The points of `x` (n, d) in `dims` dimensions by `method` ("pca", "tsne" or "umap"); (n, dims)."""
    x = _check(x, method, dims, seed)
    if method == "pca":
        return pca(x, dims)
    if method == "tsne":
        return tsne(x, dims, int(seed), **params)
    return umap(x, dims, int(seed), **params)


def align(reference: np.ndarray, y: np.ndarray) -> np.ndarray:
    """`y` rotated (or reflected), scaled and moved onto `reference` by orthogonal Procrustes, so two maps of the
    same words read alike side by side (t-SNE and UMAP fix no orientation). Distances within `y` keep their ratios."""
    from scipy.linalg import orthogonal_procrustes

    a = np.asarray(reference, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    a0, b0 = a - a.mean(0), b - b.mean(0)
    if not np.any(b0) or not np.any(a0):
        return b.copy()
    r, _ = orthogonal_procrustes(b0, a0)
    out = b0 @ r
    scale = np.linalg.norm(a0) / max(np.linalg.norm(out), 1e-300)
    return out * scale + a.mean(0)


# ---------------------------------------------------------------- neighbours
def cosines(emb: Embedding, word: str) -> np.ndarray:
    """cos(word, every row) (V,); 0 against an all-zero row."""
    i = emb.stoi[word]
    q = emb.vectors[i].astype(np.float64)
    dots = np.empty(len(emb.vectors))
    for s in range(0, len(emb.vectors), 4096):  # in float64, a block at a time (no copy of a 30k-row table)
        dots[s : s + 4096] = emb.vectors[s : s + 4096].astype(np.float64) @ q
    denom = emb.norms * emb.norms[i]
    return np.divide(dots, denom, out=np.zeros_like(dots), where=denom > 0)


def nearest(emb: Embedding, word: str, k: int = 10) -> list[tuple[str, float]]:
    """The k rows of highest cosine with `word`, the word itself excluded, ties in row (frequency) order."""
    if word not in emb.stoi:
        raise ProjectorInputError("unknown", f"{word!r} is not in the table")
    sims = cosines(emb, word)
    order = [i for i in np.argsort(-sims, kind="stable") if emb.words[i] != word][: max(int(k), 0)]
    return [(emb.words[i], float(sims[i])) for i in order]


def neighbour_overlap(xa: np.ndarray, xb: np.ndarray, k: int = 5) -> np.ndarray:
    """Per row: the share of its k cosine neighbours (within these rows) that two tables of the same words agree
    on, (n,) in [0, 1]. 1 = both embeddings see the same neighbourhood."""
    n = len(xa)
    k = int(min(max(k, 1), n - 1))

    def knn(x):
        x = np.asarray(x, dtype=np.float64)
        u = x / np.where((nrm := np.linalg.norm(x, axis=1, keepdims=True)) == 0, 1.0, nrm)
        s = u @ u.T
        np.fill_diagonal(s, -np.inf)
        return np.argsort(-s, axis=1, kind="stable")[:, :k]

    na, nb = knn(xa), knn(xb)
    return np.array([len(set(na[i]) & set(nb[i])) / k for i in range(n)])


# ---------------------------------------------------------------- export
def _safe(word: str) -> str:
    """A word as one field: whitespace (which splits word2vec's and TSV's fields) becomes "_"; never empty."""
    return re.sub(r"\s", "_", str(word)) or "_"


def _numbers(row: np.ndarray, sep: str) -> str:
    return sep.join(f"{v:.9g}" for v in row.tolist())  # 9 significant digits: a float32 reads back exactly


def word2vec_text(words: Sequence[str], vectors: np.ndarray) -> str:
    """The word2vec text format: a "<count> <dims>" line, then "<word> <v1> ... <vd>" per word."""
    v = np.asarray(vectors, dtype=np.float32)
    lines = [f"{len(words)} {v.shape[1]}"] + [f"{_safe(w)} {_numbers(r, ' ')}" for w, r in zip(words, v)]
    return "\n".join(lines) + "\n"


def projector_tsv(words: Sequence[str], vectors: np.ndarray) -> tuple[str, str]:
    """(vectors.tsv, metadata.tsv) for projector.tensorflow.org: one tab-separated row of numbers per word, and one
    word per line (a single metadata column has no header line)."""
    v = np.asarray(vectors, dtype=np.float32)
    return (
        "".join(_numbers(r, "\t") + "\n" for r in v),
        "".join(_safe(w) + "\n" for w in words),
    )


def read_projector_tsv(vectors_tsv: str, metadata_tsv: str) -> tuple[list[str], np.ndarray]:
    """The (words, vectors) of a vectors.tsv + metadata.tsv pair (a metadata header line, if any, is skipped)."""
    rows = [line.split("\t") for line in vectors_tsv.splitlines() if line.strip()]
    try:
        vectors = np.array(rows, dtype=np.float32)
    except ValueError:
        raise ProjectorInputError("tsv", "vectors.tsv must hold the same number of numbers on every line") from None
    lines = [line for line in metadata_tsv.splitlines() if line != ""]
    if len(lines) == len(rows) + 1:  # a header line: several columns, or a single one with a name
        lines = lines[1:]
    if len(lines) != len(rows):
        raise ProjectorInputError("tsv", f"{len(rows)} vectors but {len(lines)} metadata lines")
    return [line.split("\t")[0] for line in lines], vectors.reshape(len(rows), -1)


# ---------------------------------------------------------------- a WordPiece table as a word table
BERT_FIRST_WORD_ID = 1996  # bert-base-uncased: ids from 1996 ("the") are whole words by falling frequency


def whole_word_ids(pieces: Sequence[str], first_word_id: int = BERT_FIRST_WORD_ID) -> list[int]:
    """The ids of a BERT WordPiece vocabulary's whole-word entries that hold a letter (no "##" continuation, no
    [special] or [unusedN] entry, no bare digits or punctuation), most frequent first: the entries from
    `first_word_id` on come in the vocabulary's own (frequency) order, the single characters before them last."""

    def word(p: str) -> bool:
        return not p.startswith("##") and not (p.startswith("[") and p.endswith("]")) and any(c.isalpha() for c in p)

    ids = range(len(pieces))
    return [i for i in ids if i >= first_word_id and word(pieces[i])] + [
        i for i in ids if i < first_word_id and word(pieces[i])
    ]
