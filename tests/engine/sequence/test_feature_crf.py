"""The feature-rich CRF and MEMM (engine/sequence/feature_crf.py, features.py, lbfgs.py, memm.FeatureMEMM) against
oracles: brute force over every tag path, finite differences, python-crfsuite (same weights -> same Viterbi path,
probabilities, marginals and objective; same data -> the same optimum and about the same F1), scikit-learn's
logistic regression (the MEMM is one per position) and scipy's L-BFGS-B."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import numpy as np
import pytest

from engine.sequence import feature_crf as F
from engine.sequence import hmm as H
from engine.sequence import lbfgs
from engine.sequence import memm as M
from engine.sequence.features import CHAR_TEMPLATES, FeatureIndex, attribute_strings
from engine.sequence.metrics import word_prf

TEXTS = ["北京大学", "我爱北京", "学", "大学生活好", "北京", "我爱大学"]
TAGS = ["BMME", "SSBE", "S", "BESBE", "BE", "SSBE"]


def tiny(cfg: F.FeatureCRFConfig, seed: int = 0):
    index, b, y = F.prepare(list(zip(TEXTS, TAGS)), cfg)
    model = F.FeatureCRF(index, "BMES", cfg)
    model.set_theta(np.random.default_rng(seed).normal(size=model.get_theta().shape))
    return model, b, y


def brute_force(model, text: str):
    """Every K^n path: log Z, the best path and the marginals."""
    paths = list(itertools.product(range(4), repeat=len(text)))
    scores = np.array([model.score(text, p) for p in paths])
    logz = H.logsumexp(scores, axis=0)
    marg = np.zeros((len(text), 4))
    for p, s in zip(paths, scores):
        marg[np.arange(len(text)), p] += np.exp(s - logz)
    return float(logz), list(paths[int(np.argmax(scores))]), marg


@pytest.mark.parametrize("grammar,boundary", [(False, False), (True, True), (False, True)])
def test_forward_backward_and_viterbi_equal_brute_force(grammar, boundary):
    """Oracle: enumeration of all 4^n tag paths, for a batch of sentences of lengths 1-5 decoded together (the
    time-major layout), with and without the BMES grammar and start / end weights."""
    model, _, _ = tiny(F.FeatureCRFConfig(grammar=grammar, boundary=boundary, possible_states=True), seed=1)
    texts = TEXTS + ["京大", "好好好好好"]  # an unseen bigram, a repeated character
    log_z = model.log_partition(texts)
    paths = model.predict(texts)
    for i, text in enumerate(texts):
        logz, best, marg = brute_force(model, text)
        assert log_z[i] == pytest.approx(logz, abs=1e-9)
        assert paths[i] == best
        np.testing.assert_allclose(model.marginals(text), marg, atol=1e-9)
        assert model.path_logprob(text, best) == pytest.approx(model.score(text, best) - logz, abs=1e-9)
        if grammar:
            assert all(H.ALLOWED[a, c] for a, c in zip(best, best[1:])) and H.END_ALLOWED[best[-1]]
    assert model.predict(["", "学"]) == [[], paths[2]]


def test_gradient_equals_finite_differences():
    cfg = F.FeatureCRFConfig(c2=0.5)
    model, b, y = tiny(cfg, seed=2)
    model.w_slots = np.arange(model.W.size)
    observed = model.pack(*F.observed_counts(model, b, y))
    theta = model.get_theta()

    def f(x):
        model.set_theta(x)
        return model.objective(b, y, observed)

    f0, g0 = f(theta)
    # the objective is Σ -log P(gold) + c2 ||θ||², P by brute force
    model.set_theta(theta)
    nll = -sum(model.path_logprob(c, ["BMES".index(t) for t in tg]) for c, tg in zip(TEXTS, TAGS))
    assert f0 == pytest.approx(nll + 0.5 * theta @ theta, rel=1e-10)
    for i in np.random.default_rng(0).choice(len(theta), 12, replace=False):
        e = np.zeros_like(theta)
        e[i] = 1e-6
        assert (f(theta + e)[0] - f(theta - e)[0]) / 2e-6 == pytest.approx(g0[i], abs=1e-5)


def crfsuite_train(data, params: dict) -> tuple[Path, float]:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for chars, tags in data:
        trainer.append(attribute_strings(chars), list(tags))
    trainer.set_params({"c1": 0.0, **params})
    path = Path(tempfile.mkdtemp()) / "model.crfsuite"
    trainer.train(str(path))
    return path, trainer.logparser.iterations[-1]["loss"]


def crfsuite_weights_into(model: F.FeatureCRF, info) -> None:
    """Copy CRFsuite's state features and transitions (Tagger.info(), 6 decimals) into our model."""
    col = {model.index.attribute_name(j): j for j in range(model.index.n_attributes)}
    model.W[:] = 0
    for (attr, label), w in info.state_features.items():
        model.W[col[attr], "BMES".index(label)] = w
    for (a, c), w in info.transitions.items():
        model.trans["BMES".index(a), "BMES".index(c)] = w


def test_same_weights_as_crfsuite_give_the_same_paths_probabilities_and_objective():
    """Oracle: python-crfsuite. A model trained there (possible states and transitions on, no grammar, no start /
    end weights: the same model family) is copied into ours; then Viterbi paths, P(y | x) of several paths (hence
    log Z), every marginal, and the training objective CRFsuite reports all agree."""
    import pycrfsuite

    data = H.load_peoples_daily(limit=40)
    path, loss = crfsuite_train(
        data,
        {"c2": 1.0, "feature.possible_states": True, "feature.possible_transitions": True, "max_iterations": 30},
    )
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    cfg = F.FeatureCRFConfig(grammar=False, boundary=False, possible_states=True, possible_transitions=True)
    index, b, y = F.prepare(data, cfg)
    model = F.FeatureCRF(index, "BMES", cfg)
    crfsuite_weights_into(model, tagger.info())
    assert len(tagger.info().state_features) == index.n_attributes * 4
    # the objective CRFsuite minimised, at its own weights (its log rounds to 6 digits, the weights too)
    f, _ = model.objective(b, y, model.pack(*F.observed_counts(model, b, y)))
    assert f == pytest.approx(loss, rel=1e-4)
    test = [c for c, _ in H.load_peoples_daily(limit=60)[40:]] + ["我来到北京清华大学😀", "好"]
    ours = model.predict(test)
    rng = np.random.default_rng(0)
    for text, mine in zip(test, ours):
        xseq = attribute_strings(text)
        assert ["BMES"[k] for k in mine] == tagger.tag(xseq)
        tagger.set(xseq)
        marg = model.marginals(text)
        np.testing.assert_allclose(
            marg, [[tagger.marginal(lab, t) for lab in "BMES"] for t in range(len(text))], atol=1e-4
        )
        other = list(mine)  # one tag changed: a probability that does not underflow
        other[int(rng.integers(len(text)))] ^= 1
        for p in (mine, other):
            theirs = np.log(tagger.probability(["BMES"[k] for k in p]))
            assert model.path_logprob(text, p) == pytest.approx(theirs, abs=1e-3)
            # log Z = score - log P: ours by the forward algorithm, theirs from their P
            assert model.log_partition([text])[0] == pytest.approx(model.score(text, p) - theirs, abs=1e-3)


def test_training_reaches_crfsuites_optimum():
    """Oracle: CRFsuite trained to convergence on the same 30 lines, same features (its defaults: only the
    (attribute, tag) pairs seen in training, transitions seen in training) and c2: the objective is strictly convex,
    so both must land on the same weights."""
    import pycrfsuite

    data = H.load_peoples_daily(limit=30)
    path, loss = crfsuite_train(data, {"c2": 1.0, "max_iterations": 1000, "epsilon": 1e-6, "delta": 0})
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    cfg = F.FeatureCRFConfig(grammar=False, boundary=False, max_iterations=1000, epsilon=1e-6, delta=0)
    index, b, y = F.prepare(data, cfg)
    model = F.FeatureCRF(index, "BMES", cfg)
    hist = list(F.train_feature_crf(model, b, y, cfg))
    assert model.stopped_by == "epsilon"
    assert hist[-1].loss * b.n_positions == pytest.approx(loss, rel=1e-5)
    ref = F.FeatureCRF(index, "BMES", cfg)
    crfsuite_weights_into(ref, tagger.info())
    assert len(model.w_slots) == len(tagger.info().state_features)  # the same seen pairs
    np.testing.assert_allclose(model.W, ref.W, atol=2e-4)
    observed = F.observed_counts(model, b, y)[1] > 0
    np.testing.assert_allclose(model.trans[observed], ref.trans[observed], atol=2e-4)
    assert np.all(model.trans[~observed] == 0)  # CRFsuite has no weight for a move never seen: 0 as well


def test_lbfgs_reaches_scipys_minimum_and_stops_by_its_rules():
    """Oracle: scipy.optimize.minimize(L-BFGS-B) on a convex test function; the stopping rules stop as they say."""
    from scipy.optimize import minimize, rosen, rosen_der

    rng = np.random.default_rng(0)
    A = rng.normal(size=(30, 20))

    def fg(x):  # a smooth strictly convex function: log-sum-exp of an affine map + a quadratic
        z = A @ x
        m = z.max()
        p = np.exp(z - m)
        return float(np.log(p.sum()) + m + 0.1 * x @ x), A.T @ (p / p.sum()) + 0.2 * x

    ref = minimize(fg, np.ones(20), jac=True, method="L-BFGS-B", options={"gtol": 1e-12, "ftol": 1e-15})
    steps = list(lbfgs.minimize(fg, np.ones(20), max_iterations=500, epsilon=1e-7, delta=0))
    assert steps[-1].converged == "epsilon" and steps[-1].f == pytest.approx(ref.fun, abs=1e-10)
    np.testing.assert_allclose(steps[-1].x, ref.x, atol=1e-6)
    assert all(b.f <= a.f for a, b in zip(steps, steps[1:]))  # Armijo: never uphill
    ros = list(lbfgs.minimize(lambda x: (rosen(x), rosen_der(x)), np.zeros(5), max_iterations=1000, epsilon=1e-9))
    np.testing.assert_allclose(ros[-1].x, np.ones(5), atol=1e-4)  # a non-convex valley too
    assert list(lbfgs.minimize(fg, np.ones(20), max_iterations=3))[-1].converged == "max_iterations"
    assert list(lbfgs.minimize(fg, np.ones(20), delta=1.0, period=2))[-1].k == 3  # no 100 % fall in 2 iterations


def test_memm_is_a_logistic_regression_per_position():
    """Oracle: scikit-learn's multinomial LogisticRegression without intercept on [attributes, one-hot previous
    tag] (C = 1 / (2 c2)): the MEMM trained on gold previous tags reaches the same coefficients; its paths'
    probabilities sum to 1 and predict() is the best path that ends in an allowed tag (brute force)."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    data = H.load_peoples_daily(limit=8)
    cfg = F.FeatureCRFConfig(grammar=False, possible_states=True, max_iterations=2000, epsilon=1e-7, delta=0)
    index, b, y = F.prepare(data, cfg)
    memm = M.FeatureMEMM(index, "BMES", cfg)
    list(M.train_feature_memm(memm, b, y, cfg))
    prev, _, _ = M.memm_observed(memm, b, y)
    X = sp.hstack([b.X, sp.csr_matrix((np.ones(len(prev)), (np.arange(len(prev)), prev)), shape=(len(prev), 5))])
    lr = LogisticRegression(C=1 / (2 * cfg.c2), fit_intercept=False, tol=1e-10, max_iter=5000).fit(X, y)
    coef = lr.coef_.T  # (features, classes)
    np.testing.assert_allclose(memm.W[: index.n_attributes], coef[: index.n_attributes], atol=1e-3)
    np.testing.assert_allclose(memm.trans, coef[index.n_attributes :], atol=1e-3)

    grammar = F.FeatureCRFConfig(possible_states=True)
    memm = M.FeatureMEMM(FeatureIndex(CHAR_TEMPLATES), "BMES", grammar)
    memm.index.fit_transform(TEXTS)
    memm.W = np.zeros((memm.index.n_attributes, 4))
    memm.set_theta(np.random.default_rng(3).normal(size=memm.get_theta().shape))
    for text in ["北京大学", "学", "大学生活好"]:
        logp = {p: memm.path_logprob(text, p) for p in itertools.product(range(4), repeat=len(text))}
        assert sum(np.exp(v) for v in logp.values()) == pytest.approx(1.0)
        best = max((p for p in logp if H.END_ALLOWED[p[-1]]), key=logp.get)
        assert memm.predict([text])[0] == list(best) == memm.predict(["好", text])[1]


def test_memm_gradient_equals_finite_differences():
    cfg = F.FeatureCRFConfig(c2=0.3, possible_states=True)
    index, b, y = F.prepare(list(zip(TEXTS, TAGS)), cfg)
    memm = M.FeatureMEMM(index, "BMES", cfg)
    theta = np.random.default_rng(4).normal(size=memm.get_theta().shape)
    prev, oW, oT = M.memm_observed(memm, b, y)
    observed = memm.pack(oW, oT)

    def f(x):
        memm.set_theta(x)
        return memm.objective(b, y, prev, observed)

    f0, g0 = f(theta)
    memm.set_theta(theta)
    nll = -sum(memm.path_logprob(c, ["BMES".index(t) for t in tg]) for c, tg in zip(TEXTS, TAGS))
    assert f0 == pytest.approx(nll + 0.3 * theta @ theta, rel=1e-10)
    for i in np.random.default_rng(1).choice(len(theta), 12, replace=False):
        e = np.zeros_like(theta)
        e[i] = 1e-6
        assert (f(theta + e)[0] - f(theta - e)[0]) / 2e-6 == pytest.approx(g0[i], abs=1e-5)


def f1(model, lines) -> float:
    preds = model.predict([c for c, _ in lines])
    return word_prf(
        (H.tags_to_words(c, "".join("BMES"[k] for k in p)), H.tags_to_words(c, g)) for (c, g), p in zip(lines, preds)
    ).f1


def test_on_a_peoples_daily_slice_crf_matches_crfsuite_and_beats_memm_and_hmm():
    """Oracle: CRFsuite with the same templates on the same 400 training lines (L-BFGS, c2 = 1, 100 iterations):
    our CRF's held-out word F1 is within 0.01 of its; the MEMM with the same features and the counted HMM are
    lower (label bias / fewer features)."""
    import pycrfsuite

    train, test = H.split_corpus(H.load_peoples_daily(limit=2000))
    train, test = train[:400], test[:100]
    path, _ = crfsuite_train(train, {"c2": 1.0, "max_iterations": 100})
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    gold = [H.tags_to_words(c, t) for c, t in test]
    peer = word_prf((H.tags_to_words(c, "".join(tagger.tag(attribute_strings(c)))), g) for (c, _), g in zip(test, gold))
    crf = F.fit(train)
    cfg = F.FeatureCRFConfig()
    index, b, y = F.prepare(train, cfg)
    memm = M.FeatureMEMM(index, "BMES", cfg)
    list(M.train_feature_memm(memm, b, y, cfg))
    hmm = H.train_supervised(train)
    ours = f1(crf, test)
    assert ours >= peer.f1 - 0.01, (ours, peer.f1)
    assert ours > f1(memm, test) and ours > word_prf((hmm.segment(c), g) for (c, _), g in zip(test, gold)).f1
    path = crf.predict(["我来到北京清华大学😀"])[0]  # an unseen character: no attribute of its own, only its context
    assert len(path) == 10 and all(H.ALLOWED[a, c] for a, c in zip(path, path[1:])) and H.END_ALLOWED[path[-1]]


@pytest.mark.parametrize(
    "cfg",
    [F.FeatureCRFConfig(c2=-1), F.FeatureCRFConfig(max_iterations=0), F.FeatureCRFConfig(min_count=0)],
)
def test_absurd_settings_and_data_are_refused(cfg):
    with pytest.raises(ValueError):
        cfg.validate()
    with pytest.raises(ValueError):
        F.prepare([], F.FeatureCRFConfig())
    with pytest.raises(ValueError):
        F.fit([("北京", "BB")])  # breaks the BMES grammar
