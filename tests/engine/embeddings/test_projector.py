"""The embedding projector's engine against its oracles: PCA against scikit-learn's PCA and numpy's SVD, seeded
t-SNE and UMAP replaying exactly, neighbours against brute-force cosine, the word2vec text export read back by
gensim's KeyedVectors.load_word2vec_format (same vectors, same neighbours) and the TSV pair round-tripping."""

import math

import numpy as np
import pytest

from engine.embeddings import projector as P


def _table(n=80, d=12, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(4, d)) * 3
    x = centres[rng.integers(0, 4, size=n)] + rng.normal(size=(n, d))
    return [f"w{i}" for i in range(n)], x.astype(np.float32)


@pytest.mark.parametrize("dims", [2, 3])
def test_pca_equals_sklearn_and_svd_up_to_sign(dims):
    from sklearn.decomposition import PCA

    _, x = _table()
    ours = P.project(x, "pca", dims)
    ref = PCA(n_components=dims, svd_solver="full").fit_transform(x.astype(np.float64))
    x64 = x.astype(np.float64)
    xc = x64 - x64.mean(0)
    _, _, vt = np.linalg.svd(xc, full_matrices=False)
    for c in range(dims):
        sign = np.sign(ours[:, c] @ ref[:, c])
        np.testing.assert_allclose(ours[:, c], sign * ref[:, c], atol=1e-6)
        np.testing.assert_allclose(ours[:, c], np.sign(ours[:, c] @ (xc @ vt[c])) * (xc @ vt[c]), atol=1e-9)
        loading = vt[c] * np.sign(ours[:, c] @ (xc @ vt[c]))
        assert loading[np.abs(loading).argmax()] > 0  # the fixed sign: largest loading positive
    assert np.all(np.diff(ours.var(0)) <= 1e-9)  # components by falling variance


def test_pca_of_a_rank_one_table_pads_with_zeros():
    x = np.outer(np.arange(5.0), [1.0, 2.0, 3.0])
    out = P.pca(x, 3)
    assert out.shape == (5, 3) and np.allclose(out[:, 1:], 0, atol=1e-9)
    np.testing.assert_allclose(np.abs(out[:, 0]), np.abs((x - x.mean(0)) @ np.array([1, 2, 3]) / math.sqrt(14)))


@pytest.mark.parametrize("dims", [2, 3])
def test_tsne_replays_with_its_seed(dims):
    _, x = _table(60, 8)
    a = P.project(x, "tsne", dims, seed=7, perplexity=10.0)
    b = P.project(x, "tsne", dims, seed=7, perplexity=10.0)
    c = P.project(x, "tsne", dims, seed=8, perplexity=10.0)
    assert a.shape == (60, dims) and np.isfinite(a).all()
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_tsne_reduces_wide_tables_by_pca_first():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 80))
    a = P.tsne(x, 2, seed=3, perplexity=10.0)
    assert a.shape == (60, 2) and np.array_equal(a, P.tsne(x, 2, seed=3, perplexity=10.0))


def test_umap_replays_with_its_seed():
    _, x = _table(60, 8)
    a = P.project(x, "umap", 2, seed=5, n_neighbors=10)
    b = P.project(x, "umap", 2, seed=5, n_neighbors=10)
    c = P.project(x, "umap", 2, seed=6, n_neighbors=10)
    assert a.shape == (60, 2) and np.isfinite(a).all()
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    d = P.project(x[:8], "umap", 3, seed=5)  # fewer points than neighbours: capped, random init
    assert d.shape == (8, 3) and np.array_equal(d, P.project(x[:8], "umap", 3, seed=5))


@pytest.mark.parametrize(
    "args, code",
    [
        (("lda", 2, 0), "method"),
        (("pca", 4, 0), "dims"),
        (("tsne", 2, -1), "seed"),
        (("tsne", 2, 1.5), "seed"),
        (("tsne", 2, True), "seed"),
    ],
)
def test_bad_requests_raise_coded_errors(args, code):
    _, x = _table(10, 3)
    with pytest.raises(P.ProjectorInputError) as e:
        P.project(x, *args)
    assert e.value.code == code


def test_point_counts_and_values_are_checked():
    _, x = _table(10, 3)
    for method in ("tsne", "umap"):
        with pytest.raises(P.ProjectorInputError, match="at least") as e:
            P.project(x[:5], method, 2)
        assert e.value.code == "too_few"
    with pytest.raises(P.ProjectorInputError) as e:
        P.project(np.zeros((P.MAX_POINTS + 1, 2)), "pca", 2)
    assert e.value.code == "too_many"
    bad = x.copy()
    bad[3, 1] = np.nan
    with pytest.raises(P.ProjectorInputError) as e:
        P.project(bad, "pca", 2)
    assert e.value.code == "not_finite"


def _brute_cosines(x, i):
    out = []
    for j in range(len(x)):
        a, b = x[i].astype(np.float64), x[j].astype(np.float64)
        out.append(float(sum(a * b) / math.sqrt(sum(a * a) * sum(b * b))))
    return out


def test_neighbours_equal_brute_force_cosine():
    words, x = _table()
    emb = P.Embedding(words, x)
    sims = _brute_cosines(x, 5)
    expected = sorted((j for j in range(len(words)) if j != 5), key=lambda j: -sims[j])[:8]
    got = P.nearest(emb, "w5", 8)
    assert [w for w, _ in got] == [words[j] for j in expected]
    np.testing.assert_allclose([c for _, c in got], [sims[j] for j in expected], atol=1e-9)
    with pytest.raises(P.ProjectorInputError):
        P.nearest(emb, "nope", 3)


def test_neighbours_agree_with_the_similarity_module():
    from engine.core.corpus import Vocab
    from engine.embeddings.similarity import neighbours

    words, x = _table()
    vocab = Vocab(words, np.ones(len(words), dtype=np.int64), {w: i for i, w in enumerate(words)})
    ours = P.nearest(P.Embedding(words, x), "w11", 6)
    theirs = neighbours(x, vocab, "w11", 6)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([c for _, c in ours], [c for _, c in theirs], atol=1e-9)


def test_a_zero_row_has_cosine_zero():
    emb = P.Embedding(["a", "b", "c"], np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]]))
    assert dict(P.nearest(emb, "a", 2)) == pytest.approx({"c": 1 / math.sqrt(2), "b": 0.0})


def test_word2vec_text_loads_in_gensim_with_the_same_neighbours(tmp_path):
    from gensim.models import KeyedVectors

    words, x = _table()
    words[3] = "two words"  # a space would split the line: written as "two_words"
    path = tmp_path / "vectors.txt"
    path.write_text(P.word2vec_text(words, x), encoding="utf-8")
    kv = KeyedVectors.load_word2vec_format(str(path), binary=False)
    assert kv.index_to_key == [w.replace(" ", "_") for w in words]
    assert np.array_equal(kv.vectors, x)  # 9 significant digits: every float32 reads back exactly
    emb = P.Embedding(kv.index_to_key, x)
    for w in ("w0", "w40", "two_words"):
        ours, theirs = P.nearest(emb, w, 10), kv.most_similar(w, topn=10)
        assert [a for a, _ in ours] == [a for a, _ in theirs]
        np.testing.assert_allclose([c for _, c in ours], [c for _, c in theirs], atol=1e-5)


def test_projector_tsv_pair_has_a_row_per_word_and_round_trips():
    words, x = _table(30, 5)
    words[0], words[1] = "猫", "tab\there"
    vectors, metadata = P.projector_tsv(words, x)
    assert len(vectors.splitlines()) == len(metadata.splitlines()) == len(words)
    assert all(len(line.split("\t")) == 5 for line in vectors.splitlines())
    back_words, back = P.read_projector_tsv(vectors, metadata)
    assert back_words == ["猫", "tab_here", *words[2:]] and np.array_equal(back, x)
    with_header = "word\tcount\n" + "".join(f"{w}\t1\n" for w in back_words)
    assert P.read_projector_tsv(vectors, with_header)[0] == back_words
    with pytest.raises(P.ProjectorInputError):
        P.read_projector_tsv(vectors, "a\nb\n")
    with pytest.raises(P.ProjectorInputError):
        P.read_projector_tsv("1\t2\n3\n", "a\nb\n")


def test_align_undoes_a_rotation_scale_and_shift():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(40, 2))
    th = 1.1
    rot = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]]) @ np.diag([1, -1])
    np.testing.assert_allclose(P.align(a, 3.0 * a @ rot + 5.0), a, atol=1e-9)
    assert np.array_equal(P.align(a, np.zeros_like(a)), np.zeros_like(a))


def test_neighbour_overlap_equals_brute_force_sets():
    _, xa = _table(30, 6, seed=3)
    _, xb = _table(30, 6, seed=4)
    k = 4
    got = P.neighbour_overlap(xa, xb, k)

    def knn(x, i):
        s = _brute_cosines(x, i)
        return set(sorted((j for j in range(len(x)) if j != i), key=lambda j: -s[j])[:k])

    assert np.allclose(got, [len(knn(xa, i) & knn(xb, i)) / k for i in range(30)])
    assert np.allclose(P.neighbour_overlap(xa, 2 * xa, k), 1.0)


def test_word_lists():
    emb = P.Embedding(["the", "cat", "dog", "Paris"], np.eye(4, dtype=np.float32))
    other = P.Embedding(["dog", "the", "x"], np.eye(3, dtype=np.float32))
    assert P.top_words(emb, 2, ["Paris", "zzz", "cat"]) == ["the", "cat", "Paris"]
    assert P.common_words(emb, other, 5) == ["the", "dog"]
    assert P.split_words(" cat, dog，猫 cat\n鱼 ", 3) == ["cat", "dog", "猫"]
    assert emb.lookup(" Paris ") == "Paris" and emb.lookup("CAT") == "cat" and emb.lookup("<b>") is None
    with pytest.raises(P.ProjectorInputError):
        P.Embedding(["a"], np.zeros((2, 3)))


def test_whole_word_ids_of_a_wordpiece_vocabulary():
    pieces = ["[PAD]", "[unused0]", "a", "猫", "!", "7", "the", "##s", "of", "1999", "[CLS]"]
    assert P.whole_word_ids(pieces, first_word_id=6) == [6, 8, 2, 3]
