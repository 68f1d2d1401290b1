"""MEMM and label bias (engine/sequence/memm.py, engine/sequence/label_bias.py) against oracles: the exact numbers of the
classic figure and of CURRICULUM misc-16, brute-force enumeration of paths, and pytorch-crf."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from engine.core.train import run
from engine.sequence import label_bias as D
from engine.sequence import memm as M
from engine.sequence.crf import CRFTagger, TaggerConfig, train_taggers

torch.set_num_threads(1)


def test_classic_lattice_numbers():
    """Oracle: the published figure: 1-1-1-1 and 1-1-1-2 tie at .09 and are best."""
    lat = M.classic_lattice()
    rows = M.enumerate_paths(lat, "memm")
    value = {p: v for p, v, _ in rows}
    assert [p for p, _, _ in rows[:2]] == [(0, 0, 0, 0), (0, 0, 0, 1)]
    assert rows[0][1] == pytest.approx(0.09) and rows[1][1] == pytest.approx(0.09) and rows[2][1] < 0.09
    for path, v in [((0, 0, 1, 1), 0.066), ((0, 1, 0, 1), 0.06), ((0, 1, 1, 1), 0.054), ((1, 1, 1, 1), 0.018)]:
        assert value[path] == pytest.approx(v)
    assert M.best_path(lat, "memm") == ((0, 0, 0, 0), pytest.approx(0.09))
    for s in range(5):  # conditional on the first state, each start's paths sum to 1
        assert sum(v for p, v, _ in rows if p[0] == s) == pytest.approx(1.0)
    assert M.check_lattice(lat.weights) == []


def test_shared_potential_lattice_numbers():
    """Oracle: CURRICULUM misc-16: MEMM 1111 = .0198 (1112 .0162, 2222 .0086); CRF 2222 = 343 / 10513.75."""
    lat = M.shared_potential_lattice()
    memm = {p: v for p, v, _ in M.enumerate_paths(lat, "memm")}
    crf = M.enumerate_paths(lat, "crf")
    assert max(memm, key=memm.get) == (0, 0, 0, 0) and memm[(0, 0, 0, 0)] == pytest.approx(0.0198)
    assert memm[(0, 0, 0, 1)] == pytest.approx(0.0162) and memm[(1, 1, 1, 1)] == pytest.approx(0.2 * 0.35**3)
    assert sum(memm.values()) == pytest.approx(1.0)
    assert M.partition(lat) == pytest.approx(10513.75)
    assert crf[0][0] == (1, 1, 1, 1) and crf[0][1] == pytest.approx(343) and crf[0][2] == pytest.approx(343 / 10513.75)
    assert dict((p, v) for p, v, _ in crf)[(0, 1, 1, 1)] == pytest.approx(294)
    assert sum(p for _, _, p in crf) == pytest.approx(1.0)
    assert M.best_path(lat, "memm")[0] == (0, 0, 0, 0) and M.best_path(lat, "crf")[0] == (1, 1, 1, 1)
    assert M.check_lattice(lat.weights) == ["not_normalised"]


@pytest.mark.parametrize("seed", range(4))
def test_random_lattices_dp_equals_enumeration_and_pytorch_crf(seed):
    """Oracles: brute force over S^n paths; torchcrf.CRF with transitions = F (= log weights) on a
    time-homogeneous lattice (zero emissions, start potentials as start_transitions)."""
    from torchcrf import CRF as RefCRF

    rng = np.random.default_rng(seed)
    S, n = 3 + seed % 3, 3 + seed % 2
    w1 = rng.uniform(0.1, 3, (S, S))
    lat = M.Lattice(np.stack([w1] * (n - 1)), start=rng.uniform(0.5, 2, S))
    for mode in ("memm", "crf"):
        rows = M.enumerate_paths(lat, mode)
        path, value = M.best_path(lat, mode)
        assert value == pytest.approx(rows[0][1]) and M.path_value(lat, path, mode) == pytest.approx(value)
        assert sum(p for _, _, p in rows) == pytest.approx(1.0)
    ref = RefCRF(S, batch_first=True)
    with torch.no_grad():
        ref.transitions.copy_(torch.tensor(np.log(w1)))
        ref.start_transitions.copy_(torch.tensor(np.log(lat.start)))
        ref.end_transitions.zero_()
    em = torch.zeros(1, n, S)
    assert tuple(ref.decode(em)[0]) == M.best_path(lat, "crf")[0]
    logz = float(ref._compute_normalizer(em.transpose(0, 1), torch.ones(n, 1, dtype=torch.bool))[0])
    assert logz == pytest.approx(np.log(M.partition(lat)), abs=1e-5)


def test_edited_lattice_problems_are_reported():
    w = M.classic_lattice().weights.copy()
    w[0, 0] = [1, 1, 0, 0, 0]
    assert M.check_lattice(w) == ["not_normalised"]
    np.testing.assert_allclose(M.memm_probs(M.Lattice(w))[0, 0], [0.5, 0.5, 0, 0, 0])
    w[1, 2] = 0
    assert M.check_lattice(w) == ["zero_row", "not_normalised"]
    assert M.best_path(M.Lattice(w), "memm")[1] > 0
    w[0, 0, 0] = -1
    assert M.check_lattice(w) == ["negative"]
    w[0, 0, 0] = np.nan
    assert M.check_lattice(w) == ["not_finite"]
    assert M.check_lattice(np.zeros((0, 0, 0))) == ["empty"]


def test_memm_tagger_is_locally_normalised_brute_force():
    """Oracle: brute force: the MEMM's path probabilities over all T^n paths sum to 1, and predict() is their
    argmax (among paths ending in an allowed tag)."""
    allowed, start, end = D.structure()
    model = M.MEMMTagger(D.vocab(), D.TAGS, 1, allowed, start, end, seed=1)
    with torch.no_grad():
        model.transitions.normal_(generator=torch.Generator().manual_seed(2))
    total, best, best_path = 0.0, -np.inf, None
    for path in itertools.product(range(len(D.TAGS)), repeat=3):
        lp = model.path_logprob("rob", path)
        total += np.exp(lp)
        if end[path[-1]] and lp > best:
            best, best_path = lp, list(path)
    assert total == pytest.approx(1.0, abs=1e-4)
    assert model.predict(["rob"])[0] == best_path


def test_trained_memm_shows_label_bias_and_crf_does_not():
    """Lafferty et al. (2001): on rib (60) / rob (40), the MEMM tags 'rob' as r1 i1 b1; the CRF gets it right."""
    allowed, start, end = D.structure()
    memm = M.MEMMTagger(D.vocab(), D.TAGS, 0, allowed, start, end, seed=0)
    crf = CRFTagger(D.vocab(), D.TAGS, 0, allowed, start, end, seed=0)
    run(train_taggers([memm, crf], D.make_dataset(60, 40), TaggerConfig(epochs=40, batch_size=100, lr=0.1, window=0)))
    assert memm.predict(["rib", "rob"]) == [[0, 1, 2], [0, 1, 2]]  # label bias: 'o' is ignored
    assert crf.predict(["rib", "rob"]) == [[0, 1, 2], [3, 4, 5]]
    # the MEMM's P(i1 | r1, 'o') is 1: the second letter cannot move probability between branches
    assert np.exp(memm.path_logprob("rob", (0, 1, 2))) == pytest.approx(0.6, abs=0.02)
    assert np.exp(crf.path_logprob("rob", (3, 4, 5))) > 0.9


def test_resize_keeps_cells_and_stays_consistent():
    """Resizing the classic lattice: kept cells unchanged, new rows are distributions, DP == enumeration."""
    lat = M.classic_lattice()
    same = M.resize(lat, 5, 4)
    np.testing.assert_allclose(same.weights, lat.weights)
    small = M.resize(lat, 2, 3)
    assert small.weights.shape == (2, 2, 2) and small.weights[0, 0].tolist() == [0.4, 0.6]
    big = M.resize(lat, 6, 6)
    assert big.weights.shape == (5, 6, 6)
    np.testing.assert_allclose(big.weights[:, 5].sum(1), 1.0)
    assert np.all(big.weights[:, 0, 5] == 0)
    np.testing.assert_allclose(big.weights[4], big.weights[2])
    for L in (small, big):
        for mode in ("memm", "crf"):
            assert M.best_path(L, mode)[1] == pytest.approx(M.enumerate_paths(L, mode)[0][1])
    with pytest.raises(ValueError):
        M.resize(lat, 1, 4)
