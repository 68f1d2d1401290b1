"""Step-through training (engine/embeddings/stepper.py): every shown update is what happened to the parameters.

Oracles: the parameter difference (after − before over every matrix: the touched rows moved by exactly the
record's update = −lr · grad, or −lr · grad / √G for AdaGrad, and no other row moved); torch autograd of the same
loss at the same parameters; the closed-form losses (−log σ, the Huffman path probability, ½ f (…)²) recomputed
from the new parameters; and the engine's own training code (engine/embeddings/word2vec.py's train_word2vec
update, engine/embeddings/glove.py's adagrad_step) run on a batch of that one pair / cell."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.embeddings.glove import GloVe, GloveConfig, adagrad_step, count_corpus, weighting
from engine.embeddings.huffman import path_probability
from engine.embeddings.stepper import GloveStepper, Word2VecStepper
from engine.embeddings.word2vec import Word2Vec, Word2VecConfig, Word2VecInputError, prepare

WORDS = "king queen prince princess cat dog kitten puppy bread rice soup tea the a of and".split()
RNG = np.random.default_rng(7)
SENTENCES = [list(RNG.choice(WORDS, size=int(RNG.integers(3, 9)))) for _ in range(60)]


def _w2v(hs=False, seed=0, zero_output=False, **kw):
    cfg = Word2VecConfig(dim=5, window=2, negative=4, lr=0.3, hs=hs, seed=seed, **kw)
    return Word2VecStepper(prepare(SENTENCES, cfg), cfg, zero_output=zero_output)


def _glove(seed=0, lr=0.1):
    return GloveStepper(count_corpus(SENTENCES, 3), GloveConfig(dim=4, lr=lr, seed=seed, x_max=5.0))


def _snapshot(stepper):
    return {n: p.copy() for n, p in stepper.params.items()}


def _check_difference(stepper, old, rec):
    """after − before over every matrix: only the record's rows moved, by exactly its update."""
    for name, p in stepper.params.items():
        rows = rec.rows.get(name, np.array([], dtype=np.int64))
        np.testing.assert_array_equal(old[name][rows], rec.before[name])
        np.testing.assert_array_equal(p[rows], rec.after[name])
        np.testing.assert_allclose(rec.after[name] - rec.before[name], rec.update[name], rtol=0, atol=1e-15)
        others = np.setdiff1d(np.arange(p.shape[0]), rows)
        np.testing.assert_array_equal(p[others], old[name][others])


@pytest.mark.parametrize("hs", [False, True])
def test_word2vec_update_is_the_parameter_difference_and_minus_lr_grad(hs):
    s = _w2v(hs)
    for _ in range(25):
        old = _snapshot(s)
        rec = s.step()
        _check_difference(s, old, rec)
        for name in ("W_in", "W_out"):
            np.testing.assert_allclose(rec.update[name], -rec.lr * rec.grad[name], rtol=0, atol=1e-15)
        assert rec.rows["W_in"].tolist() == [rec.info["context"]]
        used = rec.info["out"][rec.info["mask"] > 0]
        assert sorted(rec.rows["W_out"].tolist()) == sorted(set(used.tolist()))
        if hs:  # the output rows are the nodes of the centre word's Huffman path, root first
            assert rec.rows["W_out"].tolist() == s.tree.points[rec.info["centre"]].tolist()
        else:
            assert rec.rows["W_out"][0] == rec.info["centre"] and rec.info["out"].size == 1 + s.cfg.negative


@pytest.mark.parametrize("hs", [False, True])
def test_word2vec_gradient_equals_autograd_and_loss_after_is_closed_form(hs):
    s = _w2v(hs)
    s.run(10)
    W_in = torch.tensor(s.params["W_in"], requires_grad=True)
    W_out = torch.tensor(s.params["W_out"], requires_grad=True)
    old = _snapshot(s)
    rec = s.step()
    x, out, labels, mask = rec.info["context"], rec.info["out"], rec.info["labels"], rec.info["mask"]
    z = W_out[torch.from_numpy(out)] @ W_in[x]
    bce = F.binary_cross_entropy_with_logits(z, torch.from_numpy(labels), reduction="none")
    loss = (bce * torch.from_numpy(mask)).sum()
    loss.backward()
    assert np.isclose(loss.item(), rec.loss_before, rtol=1e-12)
    np.testing.assert_allclose(W_in.grad.numpy()[rec.rows["W_in"]], rec.grad["W_in"], atol=1e-14)
    np.testing.assert_allclose(W_out.grad.numpy()[rec.rows["W_out"]], rec.grad["W_out"], atol=1e-14)
    untouched = np.setdiff1d(np.arange(len(old["W_out"])), rec.rows["W_out"])
    assert not W_out.grad.numpy()[untouched].any()
    h = s.params["W_in"][x]  # closed forms at the new parameters
    if hs:
        code, point = s.tree.codes[rec.info["centre"]], s.tree.points[rec.info["centre"]]
        expected = -np.log(path_probability(h, s.params["W_out"], code, point)).sum()  # −log P(centre | context)
    else:
        sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
        U = s.params["W_out"]
        expected = -np.log(sig(U[out[0]] @ h)) - sum(m * np.log(sig(-U[k] @ h)) for k, m in zip(out[1:], mask[1:]))
    assert np.isclose(rec.loss_after, expected, rtol=1e-12)


@pytest.mark.parametrize("hs", [False, True])
def test_word2vec_step_equals_the_engine_training_update_for_that_pair(hs):
    """engine/embeddings/word2vec.py's Word2Vec starts from the same weights; its train_word2vec update
    (forward, (loss · B).backward(), p −= lr · grad) on a batch of this one pair gives the stepper's new rows."""
    s = _w2v(hs, zero_output=True)
    model = Word2Vec(s.cfg, s.vocab)
    np.testing.assert_array_equal(model.emb_in.weight.detach().numpy(), s.params["W_in"].astype(np.float32))
    assert not s.params["W_out"].any() and not model.emb_out.weight.detach().numpy().any()
    s.run(40)
    with torch.no_grad():
        model.emb_in.weight.copy_(torch.from_numpy(s.params["W_in"]))
        model.emb_out.weight.copy_(torch.from_numpy(s.params["W_out"]))
    rec = s.step()
    x, y = torch.tensor([rec.info["context"]]), torch.tensor([rec.info["centre"]])
    neg = None if hs else torch.from_numpy(rec.info["out"][1:])[None, :]
    _, loss = model(x, y, neg)
    assert np.isclose(loss.item(), rec.loss_before, rtol=1e-5)
    model.zero_grad(set_to_none=True)
    (loss * y.numel()).backward()
    with torch.no_grad():
        for p in model.parameters():
            if p.grad is not None:
                p.add_(p.grad, alpha=-rec.lr)
    np.testing.assert_allclose(model.emb_in.weight.detach().numpy(), s.params["W_in"], atol=1e-6)
    np.testing.assert_allclose(model.emb_out.weight.detach().numpy(), s.params["W_out"], atol=1e-6)


def test_word2vec_pairs_replay_by_seed_and_stay_in_the_window():
    a, b, c = _w2v(seed=3), _w2v(seed=3), _w2v(seed=4)
    recs = [[s.step() for _ in range(30)] for s in (a, b, c)]
    key = lambda r: (r.info["sentence"], r.info["centre_pos"], r.info["context_pos"], tuple(r.info["out"]))  # noqa: E731
    assert [key(r) for r in recs[0]] == [key(r) for r in recs[1]] != [key(r) for r in recs[2]]
    np.testing.assert_array_equal(a.params["W_in"], b.params["W_in"])
    for r in recs[0]:
        sent = a.data.sentences[r.info["sentence"]]
        assert 1 <= abs(r.info["centre_pos"] - r.info["context_pos"]) <= a.cfg.window
        assert (sent[r.info["centre_pos"]], sent[r.info["context_pos"]]) == (r.info["centre"], r.info["context"])
    assert [h[0] for h in a.history] == list(range(1, 31))


def test_a_negative_equal_to_the_target_is_skipped():
    """Two words: many negatives equal the target; they add nothing (word2vec.c skips them)."""
    cfg = Word2VecConfig(dim=3, window=1, negative=6, lr=0.5)
    s = Word2VecStepper(prepare([["a", "b", "a", "b", "a"]] * 3, cfg), cfg, zero_output=False)
    for _ in range(10):
        old = _snapshot(s)
        rec = s.step()
        _check_difference(s, old, rec)
        assert (rec.info["mask"][1:] == (rec.info["out"][1:] != rec.info["centre"])).all()


def test_a_diverging_update_is_refused_and_changes_nothing():
    s = _w2v()
    s.params["W_in"][:] = 1e200
    s.params["W_out"][:] = 1e200
    old = _snapshot(s)
    with pytest.raises(Word2VecInputError) as e:
        s.step()
    assert e.value.code == "diverged" and s.steps == 0
    for name in old:
        np.testing.assert_array_equal(s.params[name], old[name])


def test_glove_update_is_the_parameter_difference_and_adagrad_of_the_gradient():
    s = _glove()
    for _ in range(25):
        old, G = _snapshot(s), {n: g.copy() for n, g in s.gradsq.items()}
        rec = s.step()
        _check_difference(s, old, rec)
        i, j = rec.info["i"], rec.info["j"]
        assert {n: r.tolist() for n, r in rec.rows.items()} == {"w": [i], "w_ctx": [j], "b": [i], "b_ctx": [j]}
        for n, idx in rec.rows.items():
            np.testing.assert_allclose(rec.update[n], -rec.lr * rec.grad[n] / np.sqrt(G[n][idx]), rtol=1e-14)
            np.testing.assert_allclose(s.gradsq[n][idx], G[n][idx] + (rec.lr * rec.grad[n]) ** 2, rtol=1e-14)
        assert s.pairs.vals[rec.info["cell"]] == rec.info["x"] > 0


def test_glove_gradient_equals_autograd_and_loss_after_is_closed_form():
    s = _glove()
    s.run(7)
    P = {n: torch.tensor(p, requires_grad=True) for n, p in s.params.items()}
    rec = s.step()
    i, j, x = rec.info["i"], rec.info["j"], rec.info["x"]
    f = weighting(x, s.cfg.x_max, s.cfg.alpha)
    loss = 0.5 * f * (P["w"][i] @ P["w_ctx"][j] + P["b"][i, 0] + P["b_ctx"][j, 0] - np.log(x)) ** 2
    loss.backward()
    assert np.isclose(loss.item(), rec.loss_before, rtol=1e-12) and np.isclose(rec.info["f"], f)
    for n, idx in rec.rows.items():
        np.testing.assert_allclose(P[n].grad.numpy()[idx], rec.grad[n], rtol=1e-12, atol=1e-15)
    p = s.params
    expected = 0.5 * f * (p["w"][i] @ p["w_ctx"][j] + p["b"][i, 0] + p["b_ctx"][j, 0] - np.log(x)) ** 2
    assert np.isclose(rec.loss_after, expected, rtol=1e-12) and rec.loss_after < rec.loss_before


def test_glove_step_equals_the_engine_adagrad_step_for_that_cell():
    """engine/embeddings/glove.py: GloVe(V, d, seed) starts from the same weights, and adagrad_step on a batch of
    this one cell (with the same accumulators) gives the stepper's parameters, accumulators and cost."""
    s = _glove(seed=2)
    model = GloVe(len(s.vocab), s.cfg.dim, s.cfg.seed)
    for n, p in model.named_parameters():
        np.testing.assert_array_equal(p.detach().numpy().reshape(s.params[n].shape), s.params[n])
    s.run(30)
    with torch.no_grad():
        for n, p in model.named_parameters():
            p.copy_(torch.from_numpy(s.params[n]).reshape(p.shape))
            model.gradsq[n].copy_(torch.from_numpy(s.gradsq[n]).reshape(p.shape))
    rec = s.step()
    cost = adagrad_step(
        model,
        torch.tensor([rec.info["i"]]),
        torch.tensor([rec.info["j"]]),
        torch.tensor([rec.info["x"]], dtype=torch.float64),
        s.cfg,
    )
    assert np.isclose(cost, rec.loss_before, rtol=1e-12)
    for n, p in model.named_parameters():
        np.testing.assert_allclose(p.detach().numpy().reshape(s.params[n].shape), s.params[n], rtol=1e-12)
        np.testing.assert_allclose(model.gradsq[n].numpy().reshape(s.params[n].shape), s.gradsq[n], rtol=1e-12)


def test_glove_cells_replay_by_seed_and_cover_x_in_one_epoch():
    a, b = _glove(seed=5), _glove(seed=5)
    n = len(a.pairs)
    cells = [a.step().info["cell"] for _ in range(n)]
    assert cells == [b.step().info["cell"] for _ in range(n)]
    assert sorted(cells) == list(range(n)) and a.epoch == 1
    assert a.step().info["epoch"] == 2


def test_settings_are_checked():
    with pytest.raises(Word2VecInputError):
        Word2VecStepper(prepare(SENTENCES, Word2VecConfig()), Word2VecConfig(lr=float("nan")))
    with pytest.raises(ValueError):
        GloveStepper(count_corpus(SENTENCES, 3), GloveConfig(dim=0))
