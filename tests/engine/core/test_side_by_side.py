"""engine.core.side_by_side, engine.core.seeding and engine.core.config.

Oracles: training each model alone with a hand-written loop (same batches, same optimizer, same clipping, its
dropout masks from its own generator) gives bit-for-bit the losses and weights of the side-by-side helper;
`seeded(s)` builds bit-for-bit what `torch.manual_seed(s)` built, without touching the global generator; two
real trainers run concurrently in two threads (while a third thread keeps reseeding and drawing from torch's
global RNG) end bit-identical to each trained alone."""

from __future__ import annotations

import threading

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from engine.core.config import Checked
from engine.core.errors import InputError
from engine.core.seeding import UnseededRandomness, generator, seeded
from engine.core.side_by_side import eval_due, train_side_by_side
from engine.core.train import run

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _net(seed: int, p: float) -> nn.Module:
    with seeded(seed):
        return nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Dropout(p), nn.Linear(16, 3))


def _batches(n: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = generator(7)
    return [(torch.randn(8, 5, generator=g) * 3, torch.randint(3, (8,), generator=g)) for _ in range(n)]


def _state(m: nn.Module) -> list[torch.Tensor]:
    return [t.detach().clone() for t in m.state_dict().values()]


def test_side_by_side_equals_each_model_trained_alone_by_hand():
    """The oracle: a plain loop per model, written out, on the same batches (clip 0.5, dropout 0.3 in one; each
    model's masks from its own generator seeded with the run's seed)."""
    steps, clip, seed = 7, 0.5, 11
    batches = _batches(steps)
    alone = {}
    for i, (name, p) in enumerate((("a", 0.0), ("b", 0.3))):
        m = _net(i, p)
        opt = torch.optim.Adam(m.parameters(), lr=0.05)
        masks = generator(seed)
        losses = []
        for x, y in batches:
            m.train()
            opt.zero_grad(set_to_none=True)
            with seeded(masks):
                loss = F.cross_entropy(m(x), y)
                loss.backward()
            torch.nn.utils.clip_grad_norm_(m.parameters(), clip)
            opt.step()
            losses.append(loss.item())
        alone[name] = (losses, _state(m))

    models = {"a": _net(0, 0.0), "b": _net(1, 0.3)}
    opts = {k: torch.optim.Adam(m.parameters(), lr=0.05) for k, m in models.items()}
    seen = []

    def evaluate():
        seen.append([m.training for m in models.values()])
        return {"n_eval": float(len(seen))}

    hist = run(
        train_side_by_side(
            models,
            opts,
            batch=lambda step: batches[step],
            loss=lambda name, m, b: F.cross_entropy(m(b[0]), b[1]),
            evaluate=evaluate,
            steps=steps,
            eval_every=3,
            clip_norm=clip,
            seed=seed,
            headline=lambda losses, metrics: losses["b"],
        )
    ).history
    for name in models:
        assert [h.metrics[f"loss_{name}"] for h in hist] == alone[name][0]
        assert all(torch.equal(a, b) for a, b in zip(_state(models[name]), alone[name][1]))
    assert [h.loss for h in hist] == alone["b"][0]
    assert [h.step for h in hist if "n_eval" in h.metrics] == [3, 6, 7]  # every 3rd step and the last
    assert seen == [[False, False]] * 3 and not any(m.training for m in models.values())
    assert [eval_due(s, 10, 4) for s in range(10)] == [False, False, False, True] * 2 + [False, True]


def test_twins_with_equal_dropout_stay_identical():
    """Every model draws from its own generator seeded alike: twins that differ in nothing stay bit-identical."""
    twins = {"a": _net(0, 0.3), "b": _net(0, 0.3)}
    opts = {k: torch.optim.Adam(m.parameters(), lr=0.05) for k, m in twins.items()}
    batches = _batches(5)
    run(
        train_side_by_side(
            twins, opts, batch=batches.__getitem__, loss=lambda k, m, b: F.cross_entropy(m(b[0]), b[1]), steps=5
        )
    )
    assert all(torch.equal(a, b) for a, b in zip(_state(twins["a"]), _state(twins["b"])))


def test_loss_key_none_and_one_optimizer_per_model():
    models = {"a": _net(0, 0.0)}
    opt = {"a": torch.optim.SGD(models["a"].parameters(), lr=0.1)}
    batches = _batches(2)
    hist = run(
        train_side_by_side(
            models, opt, batch=batches.__getitem__, loss=lambda k, m, b: m(b[0]).sum(), steps=2, loss_key=None
        )
    ).history
    assert [h.metrics for h in hist] == [{}, {}] and all(isinstance(h.loss, float) for h in hist)
    with pytest.raises(ValueError):
        next(train_side_by_side(models, {}, batch=batches.__getitem__, loss=lambda k, m, b: m(b[0]).sum(), steps=2))


def test_seeded_builds_what_manual_seed_built_and_leaves_the_global_rng_alone():
    from transformers import BertConfig, BertModel

    def build():
        bert = BertModel(BertConfig(vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2))
        return [bert, nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), nn.LSTM(4, 6), nn.Embedding(9, 3)]

    torch.manual_seed(5)
    ref = [_state(m) for m in build()]
    before = torch.random.get_rng_state().clone()
    with seeded(5):
        ours = [_state(m) for m in build()]
    assert torch.equal(before, torch.random.get_rng_state())  # neither read nor advanced
    assert all(torch.equal(a, b) for r, o in zip(ref, ours) for a, b in zip(r, o))
    x = torch.randn(50, 40, generator=generator(1))
    torch.manual_seed(3)
    ref_drop = nn.Dropout(0.4).train()(x), F.dropout(x, 0.2, True)
    with seeded(3):
        ours_drop = nn.Dropout(0.4).train()(x), F.dropout(x, 0.2, True)
    assert all(torch.equal(a, b) for a, b in zip(ref_drop, ours_drop))  # ATen's CPU dropout, same stream
    with seeded(0), pytest.raises(UnseededRandomness):
        F.alpha_dropout(x, 0.5, True)


def test_attention_dropout_draws_from_the_generator():
    q, k, v = (torch.randn(2, 2, 5, 4, generator=generator(i)) for i in range(3))
    with seeded(1):
        a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.3)
    with seeded(1):
        b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.3)
    with seeded(2):
        c = F.scaled_dot_product_attention(q, k, v, dropout_p=0.3)
    assert torch.equal(a, b) and not torch.equal(a, c)
    with seeded(1):
        torch.testing.assert_close(F.scaled_dot_product_attention(q, k, v), F.softmax(q @ k.mT / 2, -1) @ v)


def _dropout_lab(seed: int):
    from engine.labs import dropout as ad

    cfg = ad.DropoutLabConfig(steps=6, eval_every=3, n_train=64, n_val=32, seed=seed)
    models = [ad.AlbertClassifier(cfg, p) for p in cfg.dropouts]  # dropout 0 and 0.1: masks matter
    hist = run(ad.train_pair(models, ad.make_task(cfg), cfg)).history
    return [h.metrics for h in hist], [_state(m) for m in models]


def _xor_lab(seed: int):
    from engine.labs import xor as xo

    cfg = xo.XorConfig(steps=8, eval_every=4, n_eval=32, seed=seed)
    models = xo.make_models(cfg)
    hist = run(xo.train_xor(models, cfg)).history
    return [h.metrics for h in hist], [_state(m) for m in models.values()]


def test_two_trainings_in_two_threads_equal_each_trained_alone():
    alone = {"dropout": _dropout_lab(1), "xor": _xor_lab(2)}
    out, errors, stop = {}, [], threading.Event()

    def work(name, fn, seed):
        try:
            out[name] = fn(seed)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def hostile():  # another session using torch's global RNG the whole time
        while not stop.is_set():
            torch.manual_seed(123)
            torch.rand(64)
            F.dropout(torch.ones(64), 0.5, True)

    threads = [
        threading.Thread(target=work, args=("dropout", _dropout_lab, 1)),
        threading.Thread(target=work, args=("xor", _xor_lab, 2)),
    ]
    noise = threading.Thread(target=hostile)
    noise.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    stop.set()
    noise.join(10)
    assert not errors, errors
    for name, (metrics, states) in alone.items():
        assert out[name][0] == metrics, name
        assert all(torch.equal(a, b) for s, o in zip(states, out[name][1]) for a, b in zip(s, o)), name


def test_checked_configs_report_codes_and_raise_their_family():
    from dataclasses import dataclass

    class DemoError(InputError):
        pass

    @dataclass(frozen=True)
    class Demo(Checked):
        error = DemoError
        heads: int = 2
        dim: int = 8

        def checks(self):
            yield self.heads >= 1, "heads", "at least one head"
            yield self.dim % self.heads == 0, "dim", "dim must be a multiple of heads"

    assert Demo().problems() == [] and Demo(dim=7).problems() == ["dim"]
    assert Demo(heads=0).problems() == ["heads"]  # the later rule cannot be evaluated: reported up to there
    with pytest.raises(DemoError) as e:
        Demo(dim=7).validate()
    assert e.value.code == "dim" and isinstance(e.value, ValueError) and "multiple" in str(e.value)
