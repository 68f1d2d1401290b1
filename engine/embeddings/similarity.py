"""What to do with word vectors: cosine, nearest neighbours, analogies, a 2-D map, and the standard evaluations.

Every function takes a (V, d) numpy matrix whose row i is `vocab.itos[i]` (any embedding: word2vec, GloVe, …).
Neighbours and analogies follow gensim's KeyedVectors.most_similar (3CosAdd on unit vectors, inputs excluded).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from engine.core.corpus import Vocab


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float64)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n == 0, 1.0, n)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """cos(a, b); 0 when either vector is all zeros."""
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return 0.0 if na == 0 or nb == 0 else float(np.dot(a, b) / (na * nb))


def similarity(vectors: np.ndarray, vocab: Vocab, w1: str, w2: str) -> float:
    return cosine(vectors[vocab.stoi[w1]], vectors[vocab.stoi[w2]])


def missing(vocab: Vocab, words: Iterable[str]) -> list[str]:
    """The words not in the vocabulary (the page reports them instead of failing)."""
    return [w for w in words if w not in vocab.stoi]


def most_similar(
    vectors: np.ndarray, vocab: Vocab, positive: Sequence[str], negative: Sequence[str] = (), topn: int = 10
) -> list[tuple[str, float]]:
    """gensim's most_similar: mean of +unit vectors and −unit vectors, re-normalised; cosine to every word."""
    unknown = missing(vocab, [*positive, *negative])
    if unknown:
        raise KeyError(unknown[0])
    units = unit_rows(vectors)
    query = np.mean([units[vocab.stoi[w]] for w in positive] + [-units[vocab.stoi[w]] for w in negative], axis=0)
    query = unit_rows(query)
    sims = units @ query  # (V,)
    exclude = {vocab.stoi[w] for w in [*positive, *negative]}
    order = [i for i in np.argsort(-sims, kind="stable") if i not in exclude][:topn]
    return [(vocab.itos[i], float(sims[i])) for i in order]


def neighbours(vectors: np.ndarray, vocab: Vocab, word: str, topn: int = 10) -> list[tuple[str, float]]:
    return most_similar(vectors, vocab, [word], topn=topn)


def analogy(vectors: np.ndarray, vocab: Vocab, a: str, b: str, c: str, topn: int = 5) -> list[tuple[str, float]]:
    """a − b + c, e.g. king − man + woman → queen."""
    return most_similar(vectors, vocab, [a, c], [b], topn=topn)


def pca_2d(vectors: np.ndarray) -> np.ndarray:
    """Rows projected on the first two principal components, (n, 2); signs fixed so the output is deterministic."""
    x = np.asarray(vectors, dtype=np.float64)
    x = x - x.mean(0, keepdims=True)
    if x.shape[0] < 2:
        return np.zeros((x.shape[0], 2))
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    comps = vt[:2]
    comps = comps * np.sign(comps[np.arange(comps.shape[0]), np.abs(comps).argmax(1)])[:, None]
    out = x @ comps.T
    return np.pad(out, ((0, 0), (0, 2 - out.shape[1])))


def mean_vector(vectors: np.ndarray, vocab: Vocab, words: Iterable[str]) -> np.ndarray:
    """Average of the known words' vectors (zeros if none is known): the simplest sentence embedding."""
    rows = [vectors[vocab.stoi[w]] for w in words if w in vocab.stoi]
    return np.mean(rows, axis=0) if rows else np.zeros(vectors.shape[1], dtype=np.float64)


# ---------------------------------------------------------------- evaluation (gensim's test data, offline)
def gensim_test_file(name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gensim")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("gensim is not installed")
    return Path(spec.origin).parent / "test" / "test_data" / name


def word_pairs_spearman(vectors: np.ndarray, vocab: Vocab, path: Path | None = None) -> tuple[float, int]:
    """Spearman ρ between human scores (wordsim353) and cosines, on pairs with both words known; (ρ, pairs)."""
    from scipy.stats import spearmanr

    path = path or gensim_test_file("wordsim353.tsv")
    human, ours = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        parts = line.lower().split("\t")
        if len(parts) >= 3 and parts[0] in vocab.stoi and parts[1] in vocab.stoi:
            human.append(float(parts[2]))
            ours.append(similarity(vectors, vocab, parts[0], parts[1]))
    if len(human) < 3:
        return float("nan"), len(human)
    return float(spearmanr(human, ours).statistic), len(human)


def analogy_accuracy(
    vectors: np.ndarray, vocab: Vocab, path: Path | None = None, restrict: int = 30_000
) -> tuple[float, int]:
    """questions-words.txt accuracy (a:b :: c:?, answer = top of b − a + c among the `restrict` most frequent)."""
    path = path or gensim_test_file("questions-words.txt")
    n = min(restrict, len(vocab))
    units = unit_rows(vectors[:n])
    stoi = {w: i for w, i in vocab.stoi.items() if i < n}
    qs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            continue
        ws = line.lower().split()
        if len(ws) == 4 and all(w in stoi for w in ws):
            qs.append([stoi[w] for w in ws])
    if not qs:
        return float("nan"), 0
    q = np.array(qs)
    correct = 0
    for s in range(0, len(q), 1024):
        part = q[s : s + 1024]
        query = unit_rows(units[part[:, 1]] - units[part[:, 0]] + units[part[:, 2]])
        sims = query @ units.T  # (b, n)
        rows = np.arange(len(part))
        for col in range(3):
            sims[rows, part[:, col]] = -np.inf
        correct += int((sims.argmax(1) == part[:, 3]).sum())
    return correct / len(q), len(q)
