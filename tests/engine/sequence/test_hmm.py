"""HMM (engine/sequence/hmm.py) against oracles: brute force over every tag path, jieba.finalseg, hmmlearn, counting."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from engine.sequence import hmm as H
from engine.sequence.metrics import word_prf


def random_hmm(seed: int, n_states: int = 4, vocab: str = "abcde", grammar: bool = False) -> H.HMM:
    rng = np.random.default_rng(seed)
    start = rng.dirichlet(np.ones(n_states))
    trans = rng.dirichlet(np.ones(n_states), size=n_states)
    emit = rng.dirichlet(np.ones(len(vocab) + 1), size=n_states)
    end = np.zeros(n_states)
    if grammar:  # BMES zeros -> -inf entries must be handled too
        start, trans = start * H.START_ALLOWED, trans * H.ALLOWED
        start, trans = start / start.sum(), trans / trans.sum(1, keepdims=True)
        end = np.where(H.END_ALLOWED, 0.0, -np.inf)
    with np.errstate(divide="ignore"):
        return H.HMM({c: i for i, c in enumerate(vocab)}, np.log(start), np.log(trans), np.log(emit), end)


def brute_force(model: H.HMM, text: str) -> tuple[float, float, np.ndarray]:
    """Enumerate all K^T paths: (max log score, log Σ score, posterior marginals)."""
    n = len(model.log_start)
    paths = list(itertools.product(range(n), repeat=len(text)))
    scores = np.array([model.path_score(text, p) for p in paths])
    logz = H.logsumexp(scores, axis=0)
    marg = np.zeros((len(text), n))
    for p, s in zip(paths, scores):
        for t, k in enumerate(p):
            marg[t, k] += np.exp(s - logz)
    return scores.max(), float(logz), marg


@pytest.mark.parametrize(
    "seed,text,grammar",
    [
        (0, "abcab", False),
        (1, "eeadcb", False),
        (2, "a", False),
        (3, "bdxca", False),
        (4, "abcd", True),
        (5, "caebda", True),
    ],
)
def test_viterbi_forward_backward_equal_brute_force(seed, text, grammar):
    """Oracle: brute-force enumeration over all K^T tag paths ('x' is an unknown character)."""
    model = random_hmm(seed, grammar=grammar)
    best, logz, marg = brute_force(model, text)
    vit = model.viterbi(text)
    assert vit.log_prob == pytest.approx(best, abs=1e-9)
    assert model.path_score(text, vit.path) == pytest.approx(best, abs=1e-9)
    _, ll_f = model.forward(text)
    _, ll_b = model.backward(text)
    assert ll_f == pytest.approx(logz, abs=1e-9)
    assert ll_b == pytest.approx(logz, abs=1e-9)
    np.testing.assert_allclose(model.posteriors(text), marg, atol=1e-9)
    # delta[t, k] is the best score of a prefix ending in k: check the last column by brute force too
    assert np.max(vit.delta[-1] + model.log_end) == pytest.approx(best, abs=1e-9)


def test_jieba_model_on_short_sentence_equals_brute_force():
    """Oracle: brute force over 4^6 paths with jieba's real probabilities."""
    model = H.jieba_hmm()
    best, logz, _ = brute_force(model, "北京清华大学")
    assert model.viterbi("北京清华大学").log_prob == pytest.approx(best)
    assert model.forward("北京清华大学")[1] == pytest.approx(logz)


SENTENCES = [
    "我来到北京清华大学",
    "他来到了网易杭研大厦",
    "小明硕士毕业于中国科学院计算所后在日本京都大学深造",
    "我",
    "的的的的",
    "结婚的和尚未结婚的",
    "南京市长江大桥",
    "工信处女干事每月经过下属科室都要亲口交代",
]


def test_segment_equals_jieba_finalseg():
    """Oracle: jieba.finalseg.cut and jieba.finalseg.viterbi on Chinese-only sentences, incl. People's Daily."""
    import jieba.finalseg as fs

    model = H.jieba_hmm()
    blocks = [b for chars, _ in H.load_peoples_daily(limit=300) for b in re.findall("[\u4e00-\u9fd5]+", chars)]
    assert len(blocks) > 300
    for s in SENTENCES + blocks:
        assert model.segment(s) == list(fs.cut(s)), s
    for s in SENTENCES[:3]:
        prob, tags = fs.viterbi(s, "BMES", fs.start_P, fs.trans_P, fs.emit_P)
        vit = model.viterbi(s)
        assert "".join(tags) == model.tags(s)
        assert vit.log_prob == prob  # same additions in the same order: bit-identical
    assert model.segment("我来到北京清华大学") == ["我来", "到", "北京", "清华大学"]
    for chars, _ in H.load_peoples_daily(limit=100):  # mixed text: jieba's block handling, same words
        assert model.segment(chars, han_only=True) == list(fs.cut(chars))
    mixed = "我爱NLP和3.5%的😀，2026年"
    assert model.segment(mixed, han_only=True) == list(fs.cut(mixed))


def test_unknown_and_odd_characters_do_not_crash():
    model = H.jieba_hmm()
    for s in ["", "😀😀", "abc123", "，。！", "我爱NLP😀！", "龘" * 3, "中" * 2000]:
        words = model.segment(s)
        assert "".join(words) == s


def test_supervised_counts_are_normalised_counts():
    """Oracle: counting by hand. alpha = 0 gives exactly the normalised counts; rows are distributions."""
    data = [("我爱北京", "SSBE"), ("北京大学", "BMME"), ("我们", "BE")]
    m = H.train_supervised(data, alpha=0.0)
    p = lambda a: np.exp(a)  # noqa: E731
    np.testing.assert_allclose(p(m.log_start), [2 / 3, 0, 0, 1 / 3])
    # transitions: S->S 1, S->B 1, B->E 2, B->M 1, M->M 1, M->E 1; E is never followed -> uniform over B/S
    np.testing.assert_allclose(
        p(m.log_trans), [[0, 1 / 3, 2 / 3, 0], [0, 0.5, 0.5, 0], [0.5, 0, 0, 0.5], [0.5, 0, 0, 0.5]]
    )
    assert p(m.log_emit)[0, m.vocab["北"]] == pytest.approx(2 / 3)  # B emitted 北, 北, 我
    assert p(m.log_emit)[1, m.vocab["京"]] == pytest.approx(1 / 2)  # M emitted 京, 大
    s = H.train_supervised(data, alpha=0.1)
    for mat in (s.log_start[None], s.log_trans, s.log_emit):
        np.testing.assert_allclose(np.exp(mat).sum(1), 1.0)
    assert np.all(np.exp(s.log_trans)[~H.ALLOWED] == 0)  # the BMES grammar is kept


def plain_counts(data, vocab):
    """The reference: one Python loop over every character of every sentence."""
    idx = {s: i for i, s in enumerate(H.STATES)}
    start, trans, emit = np.zeros(H.K), np.zeros((H.K, H.K)), np.zeros((H.K, len(vocab) + 1))
    for chars, tags in data:
        if not chars:
            continue
        start[idx[tags[0]]] += 1
        for a, b in zip(tags, tags[1:]):
            trans[idx[a], idx[b]] += 1
        for ch, tag in zip(chars, tags):
            emit[idx[tag], vocab.get(ch, len(vocab))] += 1
    return start, trans, emit


def test_vectorised_counts_equal_a_plain_loop():
    """Oracle: a plain per-character loop, on real lines plus an empty one, a one-character one and characters
    missing from the vocabulary (they land in the last column); the vocabulary is numbered by first appearance."""
    data = H.load_peoples_daily(limit=300) + [("", ""), ("😀", "S"), ("我们😀", "BES")]
    vocab = H.vocabulary([c for c, _ in data[:200]])
    first_seen: dict[str, int] = {}
    for chars, _ in data[:200]:
        for ch in chars:
            first_seen.setdefault(ch, len(first_seen))
    assert vocab == first_seen
    for got, want in zip(H.count_stats(data, vocab), plain_counts(data, vocab)):
        np.testing.assert_array_equal(got, want)
    assert H.count_stats(data, vocab)[2][:, -1].sum() > 0  # some characters were unknown
    for got, want in zip(H.count_stats(data[:1], {}), plain_counts(data[:1], {})):  # no vocabulary at all
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError):
        H.count_stats([("我们", "BX")], vocab)


def test_peoples_daily_split_and_f1():
    """Oracle: a hand-checked F1, and the trained HMM beats a trivial all-single-character baseline."""
    assert word_prf([(["我", "来到"], ["我", "来", "到"])]).f1 == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    lines = H.load_peoples_daily(limit=2000)
    train, test = H.split_corpus(lines)
    assert len(test) == 200 and not set(map(id, train)) & set(map(id, test))
    model = H.train_supervised(train)
    for row in (model.log_start[None], model.log_trans, model.log_emit):
        np.testing.assert_allclose(np.exp(row).sum(1), 1.0)
    gold = [H.tags_to_words(c, t) for c, t in test]
    ours = word_prf((model.segment(c), g) for (c, _), g in zip(test, gold)).f1
    chars = word_prf((list(c), g) for (c, _), g in zip(test, gold)).f1
    assert ours > chars + 0.2 and ours > 0.7


def test_baum_welch_matches_hmmlearn_and_never_decreases():
    """Oracle: hmmlearn CategoricalHMM from the same start parameters (log-likelihood history and parameters)."""
    from hmmlearn.hmm import CategoricalHMM

    texts = ["abcab", "bbca", "cabd", "ddab", "a"]
    cfg = H.BaumWelchConfig(iterations=8, seed=3, bmes_grammar=False)
    model = H.em_model(texts, cfg)
    ref = CategoricalHMM(n_components=4, n_iter=8, tol=-np.inf, init_params="", params="ste", implementation="log")
    ref.n_features = len(model["vocab"])
    ref.startprob_ = np.exp(model["log_start"])
    ref.transmat_ = np.exp(model["log_trans"])
    ref.emissionprob_ = np.exp(model["log_emit"])
    X = np.concatenate([[model["vocab"][c] for c in s] for s in texts])[:, None]
    ref.fit(X, lengths=[len(s) for s in texts])
    lls = [p.metrics["loglik"] for p in H.baum_welch(model, texts, cfg)]
    np.testing.assert_allclose(lls, list(ref.monitor_.history), rtol=1e-9)
    np.testing.assert_allclose(np.exp(model["log_trans"]), ref.transmat_, atol=1e-9)
    np.testing.assert_allclose(np.exp(model["log_emit"]), ref.emissionprob_, atol=1e-9)
    assert np.all(np.diff(lls) >= -1e-9)


def test_baum_welch_bmes_grammar_on_real_text():
    """EM with the BMES zeros and end states: likelihood never decreases; the zeros stay zero; P(Y) agrees."""
    texts = [c for c, _ in H.load_peoples_daily(limit=40)]
    cfg = H.BaumWelchConfig(iterations=5, seed=0)
    model = H.em_model(texts, cfg)
    hist = list(H.baum_welch(model, texts, cfg))
    lls = [p.metrics["loglik"] for p in hist]
    assert np.all(np.diff(lls) >= -1e-6 * abs(lls[0]))
    assert np.all(np.isneginf(model["log_trans"][~H.ALLOWED]))
    frozen = H.hmm_from_em(model)
    ll_batch, *_ = H.expected_counts(
        model["log_start"], model["log_trans"], model["log_emit"], model["log_end"], *H._pad([frozen.encode(texts[0])])
    )
    assert frozen.forward(texts[0])[1] == pytest.approx(ll_batch)
    assert "".join(frozen.segment(texts[0] + "😀")) == texts[0] + "😀"


def test_chunks_cut_only_at_word_boundaries():
    lines = H.load_peoples_daily(limit=50)
    pieces = H.chunks(lines, max_len=30)
    assert "".join(c for c, _ in pieces) == "".join(c for c, _ in lines)
    for c, t in pieces:
        assert len(c) == len(t) and t[0] in "BS" and t[-1] in "ES"
        assert len(c) <= 30 or len(H.tags_to_words(c, t)) == 1
