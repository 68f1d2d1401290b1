"""engine/transformer/seq2seq.py (tf-08): the fixed-vector seq2seq vs attention by length.

Oracles: the curriculum check (replace h_1..h_{T-1} by noise, keep h_T: the plain seq2seq's output is bit-for-bit
unchanged, the attention models' outputs move); Bahdanau's equations computed by hand for the first decoder step;
engine.transformer.model.Seq2SeqTransformer's own forward for the Transformer wrapper; pickle round trips."""

from __future__ import annotations

import math
import pickle
from multiprocessing.reduction import ForkingPickler

import pytest
import torch

from engine.core.train import run
from engine.transformer import seq2seq as sl

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TINY = sl.LengthConfig(
    min_len=4,
    max_len=8,
    n_symbols=5,
    emb=8,
    hidden=12,
    d_model=16,
    steps=40,
    batch_size=16,
    lr=1e-2,
    eval_every=10,
    n_buckets=3,
    eval_size=16,
    seed=3,
)


@pytest.fixture(scope="module")
def models() -> sl.LengthModels:
    return sl.LengthModels(TINY)


def test_shapes_and_alignment_rows_sum_to_one(models):
    src, tgt_in, tgt_out = sl.copy_batch(7, 5, TINY.n_symbols, torch.Generator().manual_seed(0))
    assert torch.equal(tgt_out, src) and torch.equal(tgt_in[:, 1:], src[:, :-1]) and (tgt_in[:, 0] == sl.BOS).all()
    assert int(src.min()) >= 2 and int(src.max()) < TINY.vocab_size
    for name, m in models.models.items():
        states = m.encode(src)
        assert states.shape[:2] == (5, 7), name
        logits, attn = m.decode(states, tgt_in)
        assert logits.shape == (5, 7, TINY.vocab_size)
        if name == "seq2seq":
            assert attn is None
        else:
            assert attn.shape == (5, 7, 7)
            torch.testing.assert_close(attn.sum(-1), torch.ones(5, 7))
        logits2, loss = m(src, tgt_in, tgt_out)
        torch.testing.assert_close(logits2, logits)
        assert loss.ndim == 0 and math.isfinite(loss.item())
        assert m(src, tgt_in)[1] is None


def test_only_attention_models_read_the_early_encoder_states(models):
    """The tf-08 check: noise in h_1..h_{T-1} (h_T kept) leaves the seq2seq output exactly unchanged."""
    src, tgt_in, _ = sl.copy_batch(8, 4, TINY.n_symbols, torch.Generator().manual_seed(1))
    effect = {name: sl.encoder_noise_effect(m, src, tgt_in) for name, m in models.models.items()}
    assert effect["seq2seq"] == 0.0
    assert effect["attn"] > 1e-4 and effect["transformer"] > 1e-4, effect
    # and the last state does matter to the seq2seq model (the check is not vacuous)
    m = models.models["seq2seq"]
    states = m.encode(src)
    moved = states.clone()
    moved[:, -1] += 1.0
    assert (m.decode(states, tgt_in)[0] - m.decode(moved, tgt_in)[0]).abs().max() > 1e-4


def test_bahdanau_first_step_by_hand(models):
    """α_1j = softmax_j(vᵀ tanh(W h_T + U h_j + b)); the first logits come from [s_1; c_1] with
    s_1 = GRUCell([e(bos); c_1], h_T)."""
    m: sl.AttentionGRU = models.models["attn"]
    src, tgt_in, _ = sl.copy_batch(6, 2, TINY.n_symbols, torch.Generator().manual_seed(2))
    with torch.no_grad():
        h = m.encode(src)  # (B, T, H)
        h_t = h[:, -1]
        e = torch.stack(
            [
                (torch.tanh(m.w_query.weight @ h_t[b] + m.u_key.weight @ h[b, j] + m.u_key.bias) * m.v.weight[0]).sum()
                for b in range(2)
                for j in range(6)
            ]
        ).view(2, 6)
        alpha = torch.softmax(e, -1)
        c = torch.einsum("bj,bjh->bh", alpha, h)
        s1 = m.dec_cell(torch.cat([m.tgt_emb(tgt_in[:, 0]), c], -1), h_t)
        first = m.out(torch.cat([s1, c], -1))
        logits, attn = m.decode(h, tgt_in)
    torch.testing.assert_close(attn[:, 0], alpha)
    torch.testing.assert_close(logits[:, 0], first)


def test_transformer_wrapper_equals_the_engine_transformer(models):
    m: sl.TransformerCopy = models.models["transformer"]
    src, tgt_in, tgt_out = sl.copy_batch(5, 3, TINY.n_symbols, torch.Generator().manual_seed(4))
    with torch.no_grad():
        ref, ref_loss = m.net(src, tgt_in, tgt_out)
        ours, loss = m(src, tgt_in, tgt_out)
    torch.testing.assert_close(ours, ref)
    torch.testing.assert_close(loss, ref_loss)


def test_parameter_counts_are_comparable():
    counts = sl.LengthModels(sl.LengthConfig()).param_counts()
    assert max(counts.values()) / min(counts.values()) < 1.3, counts
    assert abs(counts["seq2seq"] - counts["attn"]) / counts["attn"] < 0.05, counts


def test_seeded_and_deterministic():
    a, b = sl.LengthModels(TINY), sl.LengthModels(TINY)
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb and torch.equal(pa, pb), na
    c = sl.LengthModels(sl.LengthConfig(**{**TINY.__dict__, "seed": 4}))
    assert not torch.equal(a.models["attn"].v.weight, c.models["attn"].v.weight)
    ha = [p.loss for p in run(sl.train_length_models(a)).history[:8]]
    hb = [p.loss for p in run(sl.train_length_models(b)).history[:8]]
    assert ha == hb


def test_a_few_steps_lower_the_loss_and_report_accuracy_by_length():
    m = sl.LengthModels(TINY)
    hist = run(sl.train_length_models(m)).history
    assert len(hist) == TINY.steps and hist[-1].step == hist[-1].total == TINY.steps
    first = {k: v for k, v in hist[0].metrics.items() if k.startswith("loss_")}
    last = {k: sum(p.metrics[k] for p in hist[-5:]) / 5 for k in first}
    assert all(last[k] < first[k] for k in first), (first, last)
    assert math.log(TINY.n_symbols) * 0.9 < first["loss_seq2seq"] < math.log(TINY.vocab_size) * 1.5
    lengths, curves = sl.latest_curves(hist)
    assert lengths == TINY.eval_lengths() == [4, 6, 8]
    assert set(curves) == set(sl.MODEL_NAMES) and all(
        len(v) == 3 and all(0 <= x <= 1 for x in v) for v in curves.values()
    )
    assert hist[-1].metrics["acc_attn"] == pytest.approx(sum(curves["attn"]) / 3)
    assert sl.latest_curves(hist[:5]) is None  # before the first evaluation
    # the curve function gives the same numbers as the training metrics for the same held-out batches
    assert sl.accuracy_by_length(m, lengths)["transformer"] == curves["transformer"]


def test_alignments_of_one_example(models):
    out = sl.alignments(models, 6)
    assert (
        len(out["src"]) == 6 and set(out["pred"]) == set(sl.MODEL_NAMES) and set(out["attn"]) == {"attn", "transformer"}
    )
    for w in out["attn"].values():
        assert w.shape == (6, 6)
        torch.testing.assert_close(w.sum(-1), torch.ones(6))
    with pytest.raises(ValueError):
        sl.alignments(models, 0)


def test_model_survives_pickling_after_training():
    """A trained model keeps no autograd history (forget()): it pickles and copies like any module."""
    m = sl.LengthModels(TINY)
    run(sl.train_length_models(m), max_seconds=None, stop=None).history  # noqa: B018
    src, tgt_in, _ = sl.copy_batch(5, 2, TINY.n_symbols, torch.Generator().manual_seed(5))
    for dumps in (pickle.dumps, lambda x: bytes(ForkingPickler.dumps(x))):
        back = pickle.loads(dumps(m))
        for name in sl.MODEL_NAMES:
            torch.testing.assert_close(back.models[name](src, tgt_in)[0], m.models[name](src, tgt_in)[0])


@pytest.mark.parametrize(
    "bad",
    [
        dict(max_len=61),
        dict(min_len=1),
        dict(min_len=9, max_len=8),
        dict(steps=0),
        dict(lr=0.0),
        dict(lr=1e9),
        dict(lr=float("nan")),
        dict(n_symbols=1),
        dict(hidden=0),
        dict(d_model=30),
        dict(batch_size=0),
        dict(eval_every=0),
    ],
)
def test_bad_config_raises(bad):
    with pytest.raises(ValueError):
        sl.LengthModels(sl.LengthConfig(**{**TINY.__dict__, **bad}))
