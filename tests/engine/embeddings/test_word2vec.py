"""engine/embeddings/word2vec.py and friends against oracles: gensim (vocabulary maths, training quality, n-grams,
most_similar), sklearn (tf-idf, PCA), closed forms (losses, gradients, sub-sampling) and brute force (pairs)."""

import numpy as np
import pytest
import torch

from engine.core.corpus import build_vocab
from engine.embeddings.fasttext import compute_ngrams, ft_hash, ngram_buckets, oov_vector
from engine.embeddings.negative_sampling import NegativeSampler, cum_table, noise_distribution, unigram_table
from engine.embeddings.similarity import analogy, most_similar, neighbours, pca_2d, similarity
from engine.embeddings.tfidf import cosine_matrix, count_matrix, tfidf
from engine.embeddings.word2vec import (
    Word2Vec,
    Word2VecConfig,
    Word2VecInputError,
    cbow_examples,
    cost_per_example,
    epoch_examples,
    fit_word2vec,
    keep_probability,
    prepare,
    skipgram_pairs,
)

torch.set_num_threads(1)


def _cluster_corpus(seed=0, n=600):
    """Three clusters of 8 words; every sentence uses words of one cluster only."""
    rng = np.random.default_rng(seed)
    clusters = [[f"{c}{i}" for i in range(8)] for c in "abc"]
    return clusters, [list(rng.choice(clusters[rng.integers(3)], size=6)) for _ in range(n)]


def _purity(vectors, vocab, clusters, topn=5):
    hits = total = 0
    for cl in clusters:
        for w in cl:
            nb = [x for x, _ in neighbours(vectors, vocab, w, topn)]
            hits += sum(x[0] == w[0] for x in nb)
            total += topn
    return hits / total


# ---------------------------------------------------------------- sampling tables
def test_cum_table_equals_gensim():
    """Oracle: gensim Word2Vec.make_cum_table (cumulative count^0.75 scaled to 2^31 − 1)."""
    from gensim.models import Word2Vec as GW

    counts = [50, 31, 20, 9, 4, 2, 1]
    m = GW(vector_size=4, min_count=1, negative=5)
    m.build_vocab([[f"w{i}"] * c for i, c in enumerate(counts)])
    assert np.array_equal(cum_table(counts), m.cum_table)


def test_table_shares_within_one_cell_and_draws_fit():
    """Closed form: each word owns count^0.75/Σ of the M cells (within 1/M); draws pass a chi-square test."""
    from scipy.stats import chisquare

    counts = np.array([10, 5, 3, 2, 1])
    p = noise_distribution(counts)
    assert np.round(p, 3).tolist() == [0.404, 0.240, 0.164, 0.121, 0.072]  # the handbook's example
    M = 10_000
    s = NegativeSampler(counts, table_size=M, seed=0)
    assert np.abs(s.empirical(5) - p).max() <= 1 / M + 1e-12
    draws = s.draw(20_000)
    assert chisquare(np.bincount(draws, minlength=5), p * draws.size).pvalue > 1e-3
    assert np.array_equal(unigram_table(counts, power=0.0, size=10), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4])  # uniform
    assert not np.array_equal(NegativeSampler(counts, table_size=M, seed=1).draw(50), s.draw(50))


def test_subsampling_matches_gensim():
    """Oracle: gensim's sample_int / 2^32 is word2vec.c's keep probability (sqrt(f/tN) + 1)·tN/f, capped at 1."""
    from gensim.models import Word2Vec as GW

    counts = [5000, 900, 300, 40, 7, 1]
    m = GW(vector_size=4, min_count=1, sample=1e-3)
    m.build_vocab([[f"w{i}"] * c for i, c in enumerate(counts)])
    ref = np.array([m.wv.get_vecattr(f"w{i}", "sample_int") for i in range(6)]) / 2**32
    np.testing.assert_allclose(keep_probability(np.array(counts), 1e-3), ref, atol=1e-9)
    assert keep_probability(np.array(counts), 0).tolist() == [1.0] * 6


# ---------------------------------------------------------------- examples
def test_pairs_equal_brute_force():
    """Brute force: every (context, centre) within the full window and the same sentence; SG count = Σ_t |window(t)|."""
    ids = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5])
    sent = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1])
    for w in (1, 2, 3):
        inputs, targets = skipgram_pairs(ids, sent, w)
        want = sorted(
            (int(ids[j]), int(ids[i]))
            for i in range(len(ids))
            for j in range(len(ids))
            if i != j and abs(i - j) <= w and sent[i] == sent[j]
        )
        assert sorted(zip(inputs.tolist(), targets.tolist())) == want
        ctx, tg = cbow_examples(ids, sent, w)
        assert tg.tolist() == ids.tolist() and (ctx >= 0).sum() == len(want)
    rng = np.random.default_rng(0)  # random shrunken windows only drop pairs
    assert skipgram_pairs(ids, sent, 3, rng)[0].size < skipgram_pairs(ids, sent, 3)[0].size


def test_cbow_hidden_is_sum_or_mean_of_context():
    vocab = build_vocab([["a", "b", "c", "d"]])
    for mean in (False, True):
        m = Word2Vec(Word2VecConfig(sg=False, dim=4, cbow_mean=mean), vocab)
        ctx = torch.tensor([[0, 2, -1, 3]])
        want = m.emb_in.weight[[0, 2, 3]].sum(0)
        torch.testing.assert_close(m.hidden(ctx)[0], want / 3 if mean else want)


# ---------------------------------------------------------------- losses and gradients
def _random_model(hs, sg=True, V=9, d=5, seed=0):
    counts = [40, 30, 22, 15, 11, 7, 5, 3, 2][:V]
    vocab = build_vocab([[f"w{i}"] * c for i, c in enumerate(counts)])
    m = Word2Vec(Word2VecConfig(sg=sg, hs=hs, dim=d, seed=seed), vocab)
    with torch.no_grad():
        m.emb_out.weight.normal_(generator=torch.Generator().manual_seed(seed + 1))
    return m


def test_ns_loss_and_gradients_closed_form():
    """NS: loss == −log σ(u_oᵀv_c) − Σ log σ(−u_kᵀv_c); grads == (σ(z) − label)·…; non-zero output rows == sampled."""
    m = _random_model(hs=False)
    x, y = torch.tensor([1, 4]), torch.tensor([0, 2])
    neg = torch.tensor([[3, 5, 3], [6, 7, 8]])
    _, loss = m(x, y, neg)
    v, U = m.emb_in.weight.detach(), m.emb_out.weight.detach()
    ref = 0.0
    for b in range(2):
        ref += -torch.log(torch.sigmoid(U[y[b]] @ v[x[b]])) - torch.log(torch.sigmoid(-U[neg[b]] @ v[x[b]])).sum()
    torch.testing.assert_close(loss, ref / 2)
    (loss * 2).backward()
    g_in = m.emb_in.weight.grad.to_dense()
    g_out = m.emb_out.weight.grad.to_dense()
    for b in range(2):  # closed form: ∂/∂v = Σ (σ(z) − label) u
        ids = torch.cat([y[b : b + 1], neg[b]])
        lab = torch.tensor([1.0, 0, 0, 0])
        e = torch.sigmoid(U[ids] @ v[x[b]]) - lab
        torch.testing.assert_close(g_in[x[b]], (e[:, None] * U[ids]).sum(0))
    assert set(torch.nonzero(g_out.abs().sum(1)).flatten().tolist()) == {0, 2, 3, 5, 6, 7, 8}
    assert torch.count_nonzero(g_in.abs().sum(1)) == 2


def test_ns_skips_negative_equal_to_target():
    m = _random_model(hs=False)
    x, y = torch.tensor([1]), torch.tensor([2])
    _, with_self = m(x, y, torch.tensor([[2, 5]]))
    _, alone = m(x, y, torch.tensor([[5]]))
    torch.testing.assert_close(with_self, alone)


def test_hs_loss_is_minus_log_path_product_and_probabilities_sum_to_one():
    """HS: loss == −log Π_j σ(±θ_jᵀh) over the Huffman path; Σ_w P(w | h) == 1; grads == autograd on that formula."""
    from engine.embeddings.huffman import path_probability

    for sg in (True, False):
        m = _random_model(hs=True, sg=sg)
        x = torch.tensor([3, 0]) if sg else torch.tensor([[3, 1, -1], [0, 4, 5]])
        h = m.hidden(x).detach().numpy()
        syn1 = m.emb_out.weight.detach().numpy()
        V = len(m.vocab)
        P = np.array(
            [
                [np.prod(path_probability(h[b], syn1, m.tree.codes[w], m.tree.points[w])) for w in range(V)]
                for b in range(2)
            ]
        )
        np.testing.assert_allclose(P.sum(1), 1.0, rtol=1e-5)
        y = torch.tensor([7, 1])
        _, loss = m(x, y)
        assert loss.item() == pytest.approx(-np.log(P[[0, 1], [7, 1]]).mean(), rel=1e-5)
        loss.backward()
        # direct autograd on the dense formula
        W_in = m.emb_in.weight.detach().clone().requires_grad_()
        W_out = m.emb_out.weight.detach().clone().requires_grad_()
        hh = W_in[x] if sg else (W_in[x.clamp(min=0)] * (x >= 0)[..., None]).sum(1) / (x >= 0).sum(1, keepdim=True)
        ref = 0
        for b in range(2):
            c = torch.tensor(m.tree.codes[int(y[b])], dtype=torch.float32)
            z = W_out[torch.tensor(m.tree.points[int(y[b])])] @ hh[b]
            ref = ref - (torch.log(torch.sigmoid(z)) * (1 - c) + torch.log(torch.sigmoid(-z)) * c).sum()
        (ref / 2).backward()
        torch.testing.assert_close(m.emb_in.weight.grad.to_dense(), W_in.grad)
        torch.testing.assert_close(m.emb_out.weight.grad.to_dense(), W_out.grad)


# ---------------------------------------------------------------- training
@pytest.mark.parametrize("sg,hs", [(True, False), (True, True), (False, False), (False, True)])
def test_training_separates_clusters_like_gensim(sg, hs):
    """Oracle: gensim Word2Vec(sg, hs) on the same 3-cluster corpus; both reach neighbour purity ≥ 0.9."""
    from gensim.models import Word2Vec as GW

    clusters, sents = _cluster_corpus()
    cfg = Word2VecConfig(
        sg=sg, hs=hs, dim=20, window=3, epochs=5, sample=0, lr=0.025 if sg else 0.05, batch_size=64, seed=1
    )
    ours = fit_word2vec(sents, cfg)
    g = GW(
        sents,
        vector_size=20,
        window=3,
        epochs=5,
        sample=0,
        sg=int(sg),
        hs=int(hs),
        negative=0 if hs else 5,
        min_count=1,
        workers=1,
        seed=1,
        alpha=cfg.lr,
    )
    assert ours.status == "done" and np.isfinite(ours.losses).all()
    assert ours.losses[-1] < ours.losses[0]
    assert _purity(ours.vectors, ours.vocab, clusters) >= 0.9
    gv = np.stack([g.wv[w] for w in ours.vocab.itos])
    assert _purity(gv, ours.vocab, clusters) >= 0.9


def test_seeded_training_is_reproducible():
    _, sents = _cluster_corpus(n=100)
    cfg = Word2VecConfig(dim=8, epochs=1, batch_size=32, seed=3)
    a, b = fit_word2vec(sents, cfg), fit_word2vec(sents, cfg)
    assert np.array_equal(a.vectors, b.vectors)
    assert not np.array_equal(
        a.vectors, fit_word2vec(sents, Word2VecConfig(dim=8, epochs=1, batch_size=32, seed=4)).vectors
    )


def test_epoch_examples_shapes():
    clusters, sents = _cluster_corpus(n=50)
    cfg = Word2VecConfig(sg=False, window=2, sample=0)
    data = prepare(sents, cfg)
    ctx, y = epoch_examples(data, cfg, np.random.default_rng(0))
    assert ctx.shape == (data.n_tokens, 4) and y.shape == (data.n_tokens,)


@pytest.mark.parametrize(
    "kw,code",
    [
        ({"dim": 0}, "dim"),
        ({"window": 0}, "window"),
        ({"lr": 1e9}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"negative": 0}, "negative"),
        ({"epochs": 0}, "epochs"),
        ({"sample": -1.0}, "sample"),
    ],
)
def test_absurd_settings_are_reported(kw, code):
    cfg = Word2VecConfig(**kw)
    assert code in cfg.problems()
    with pytest.raises(Word2VecInputError) as e:
        fit_word2vec([["a", "b"]], cfg)
    assert e.value.code == code
    assert Word2VecConfig(hs=True, negative=0).problems() == []


@pytest.mark.parametrize(
    "sents,code", [([], "empty"), ([[]], "empty"), ([["x", "x", "x"]], "too_few_words"), ([["a"], ["b"]], "no_pairs")]
)
def test_bad_corpora_are_reported(sents, code):
    with pytest.raises(Word2VecInputError) as e:
        prepare(sents, Word2VecConfig())
    assert e.value.code == code


def test_cost_closed_forms():
    """Mikolov et al. 2013: NNLM Q = N·D + N·D·H + H·V; CBOW-HS Q = N·D + D·log2 V."""
    c = cost_per_example(V=1024, D=100, N=4, H=500, k=5)
    assert c["nnlm_softmax"] == 4 * 100 + 4 * 100 * 500 + 500 * 1024
    assert c["cbow_hs"] == 4 * 100 + 100 * 10
    assert c["cbow_ns"] == 4 * 100 + 100 * 6


# ---------------------------------------------------------------- similarity, tf-idf, n-grams
def test_most_similar_and_analogy_equal_gensim():
    """Oracle: gensim KeyedVectors.most_similar on the same random vectors."""
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    vecs = rng.normal(size=(30, 7)).astype(np.float32)
    kv = KeyedVectors(7)
    kv.add_vectors(words, vecs)
    vocab = build_vocab([words])
    for got, want in (
        (neighbours(vecs, vocab, "w3", 5), kv.most_similar("w3", topn=5)),
        (analogy(vecs, vocab, "w1", "w2", "w3", 5), kv.most_similar(positive=["w1", "w3"], negative=["w2"], topn=5)),
    ):
        assert [w for w, _ in got] == [w for w, _ in want]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-5)
    assert similarity(vecs, vocab, "w1", "w2") == pytest.approx(float(kv.similarity("w1", "w2")), rel=1e-5)
    with pytest.raises(KeyError):
        most_similar(vecs, vocab, ["nope"])


def test_pca_equals_sklearn_up_to_sign():
    from sklearn.decomposition import PCA

    x = np.random.default_rng(1).normal(size=(20, 6))
    ours, ref = pca_2d(x), PCA(2).fit_transform(x)
    for k in range(2):
        assert np.allclose(ours[:, k], ref[:, k], atol=1e-8) or np.allclose(ours[:, k], -ref[:, k], atol=1e-8)


def test_tfidf_equals_sklearn_and_disjoint_texts_score_zero():
    """Oracle: sklearn TfidfVectorizer + cosine_similarity; CountVectorizer for bag of words."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    docs = [["the", "cat", "sat"], ["the", "dog", "sat", "sat"], ["a", "kitten", "napped"], ["dog", "bites", "man"]]
    for sub in (False, True):
        sk = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=sub).fit(docs)
        ours = tfidf(docs, sublinear_tf=sub)
        assert ours.terms == list(sk.get_feature_names_out())
        np.testing.assert_allclose(ours.matrix, sk.transform(docs).toarray(), atol=1e-12)
    np.testing.assert_allclose(cosine_matrix(tfidf(docs).matrix), cosine_similarity(tfidf(docs).matrix), atol=1e-12)
    assert cosine_matrix(tfidf(docs).matrix)[0, 2] == 0.0
    bow, terms = count_matrix([["dog", "bites", "man"], ["man", "bites", "dog"]])
    np.testing.assert_array_equal(
        bow,
        CountVectorizer(analyzer=lambda d: d)
        .fit_transform([["dog", "bites", "man"], ["man", "bites", "dog"]])
        .toarray(),
    )
    assert cosine_matrix(bow)[0, 1] == pytest.approx(1.0)


def test_ngrams_and_hash_equal_gensim():
    """Oracle: gensim.models.fasttext_inner.compute_ngrams / ft_hash_bytes ('where' → 14 n-grams)."""
    from gensim.models.fasttext_inner import compute_ngrams as g_ngrams
    from gensim.models.fasttext_inner import ft_hash_bytes

    for w in ("where", "a", "naïve", "词向量", "🙂ok"):
        assert compute_ngrams(w, 3, 6) == g_ngrams(w, 3, 6)
        assert all(ft_hash(g) == ft_hash_bytes(g.encode("utf-8")) for g in compute_ngrams(w, 3, 6))
    assert len(compute_ngrams("where")) == 14
    m = np.random.default_rng(0).normal(size=(97, 4))
    np.testing.assert_allclose(oov_vector("where", m), m[ngram_buckets("where", bucket=97)].mean(0))


def test_cosine_rises_with_context_overlap():
    """The distributional hypothesis, measured: Spearman ρ(overlap, cosine) > 0.8 over 6 levels."""
    from scipy.stats import spearmanr

    from engine.embeddings.word2vec import context_overlap_corpus, cosine_vs_overlap

    levels = [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    cos = cosine_vs_overlap(levels, Word2VecConfig(dim=16, window=2, epochs=3, sample=0, batch_size=64))
    assert spearmanr(levels, cos).statistic > 0.8 and cos[-1] > cos[0] + 0.3
    full = context_overlap_corpus(1.0, seed=0)
    assert not {w for s in full for w in s} & {"b0", "d0"}  # overlap 1: no private context words at all


def test_fasttext_input_is_mean_of_word_and_ngrams():
    """Closed form: hidden(w) == (v_w + Σ_g z_g) / (1 + #g); an unseen word gets the mean of its n-gram rows."""
    from engine.embeddings.fasttext import FastText

    vocab = build_vocab([["where", "here", "there"]])
    m = FastText(Word2VecConfig(dim=4), vocab, bucket=101)
    rows = ngram_buckets("where", bucket=101)
    Z, W = m.emb_ngram.weight.detach(), m.emb_in.weight.detach()
    want = (W[vocab.stoi["where"]] + Z[rows].sum(0)) / (1 + len(rows))
    torch.testing.assert_close(m.hidden(torch.tensor([vocab.stoi["where"]]))[0], want)
    np.testing.assert_allclose(
        m.word_vector("wherever"), Z[ngram_buckets("wherever", bucket=101)].mean(0).numpy(), rtol=1e-6
    )


def test_softmax_cost_term_matches_flop_counter():
    """Oracle: torch FlopCounterMode on the output layers == 2 × the multiply-adds in cost_per_example."""
    from torch.utils.flop_counter import FlopCounterMode

    V, D, N, k = 1000, 32, 4, 5
    cost = cost_per_example(V=V, D=D, N=N, k=k)
    h, W = torch.randn(1, D), torch.randn(V, D)
    with FlopCounterMode(display=False) as fc:
        h @ W.T  # full softmax logits
    assert fc.get_total_flops() == 2 * (cost["cbow_softmax"] - N * D)
    with FlopCounterMode(display=False) as fc:
        torch.bmm(W[: k + 1][None], h[:, :, None])  # NS: the true word + k negatives
    assert fc.get_total_flops() == 2 * (cost["cbow_ns"] - N * D)


def test_fasttext_classifier_label_tree_and_training():
    """Closed forms: the label tree passes the Huffman checks (prefix-free, Σ 2^−len = 1, equal to huffman() on
    the sorted label counts); Σ_labels P(label | text) = 1; a few epochs separate the toy topics."""
    from engine.core.train import run
    from engine.embeddings.fasttext import (
        ClassifierConfig,
        FastTextClassifier,
        accuracy,
        label_by_keywords,
        train_classifier,
    )
    from engine.embeddings.huffman import huffman

    clusters, sents = _cluster_corpus(n=300)
    docs, labels = label_by_keywords(sents, [[c[0]] for c in clusters])  # label = topic of the keyword c0
    counts = np.bincount(labels, minlength=3)
    m = FastTextClassifier(build_vocab(docs), counts, dim=8, bigrams=True)
    codes = ["".join(str(int(b)) for b in m.codes[i][: int(m.mask[i].sum())]) for i in range(3)]
    assert all(not b.startswith(a) for a in codes for b in codes if a != b)
    assert sum(2.0 ** -len(c) for c in codes) == pytest.approx(1.0)
    ref = huffman(np.sort(counts)[::-1])
    assert sorted(len(c) for c in codes) == sorted(ref.code_lengths().tolist())
    with torch.no_grad():
        torch.nn.init.normal_(m.nodes.weight)
        logits, _ = m(*m.batch(docs[:5]))
    torch.testing.assert_close(logits.exp().sum(1), torch.ones(5))
    res = run(train_classifier(m, docs, labels, ClassifierConfig(epochs=5)))
    assert res.status == "done" and accuracy(m, docs, labels) > 0.9
