"""misc-14: hierarchical softmax for a large output vocabulary, and 16-bit / int8 inference checks.

Oracles: Shannon's source-coding bound H(p) <= mean Huffman code length < H(p) + 1; the brute-force sum of the HS
probabilities over every word (must be 1); torch's log_softmax / cross_entropy for the full softmax; the fp32 model
for fp16 (allclose, atol 1e-2) and bf16; torch.save byte counts for int8."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from engine.embeddings.huffman import huffman, weighted_path_length
from engine.pretrained import compression as cp
from engine.pretrained import hs_latency as hl


def test_zipf_counts_are_sorted_positive_and_follow_the_law():
    c = hl.zipf_counts(1000, 1.0)
    assert c.shape == (1000,) and (c >= 1).all() and (np.diff(c) <= 0).all()
    assert c[0] / c[9] == pytest.approx(10, rel=1e-6)  # count ∝ 1/rank
    assert (hl.zipf_counts(50, 0.0) == hl.zipf_counts(50, 0.0)[0]).all()  # s = 0: uniform
    for bad in (1, 0, hl.MAX_VOCAB + 1):
        with pytest.raises(ValueError):
            hl.zipf_counts(bad)


@pytest.mark.parametrize("vocab,s", [(2, 1.0), (10, 0.0), (64, 1.0), (1000, 1.0), (5000, 1.3), (3000, 0.7)])
def test_mean_huffman_length_within_one_bit_of_entropy(vocab, s):
    counts = hl.zipf_counts(vocab, s)
    tree = huffman(counts)
    mean, h = hl.mean_code_length(counts, tree), hl.entropy_bits(counts)
    assert h - 1e-9 <= mean <= h + 1
    assert mean == pytest.approx(weighted_path_length(counts, tree) / counts.sum())
    if s > 0.5 and vocab >= 64:
        assert mean < np.log2(vocab)  # skewed text: shorter than a balanced tree


def test_entropy_closed_forms():
    assert hl.entropy_bits([5, 5, 5, 5]) == pytest.approx(2.0)
    assert hl.entropy_bits([1, 1, 2]) == pytest.approx(1.5)
    assert hl.entropy_bits([7]) == 0.0


def test_hs_probabilities_sum_to_one_and_softmax_matches_torch():
    counts = hl.zipf_counts(37, 1.0)
    out = hl.HSOutput.build(counts, dim=8, seed=3)
    g = torch.Generator().manual_seed(0)
    h = torch.randn(5, 8, generator=g)
    every = torch.arange(37)
    for row in h:  # brute force over every word: a normalised distribution without computing a partition function
        logp = hl.hs_logprob(row.expand(37, 8), out, every)
        assert float(torch.logsumexp(logp, 0)) == pytest.approx(0.0, abs=1e-5)
    # one word by hand: product of σ(±hᵀθ) along its path
    w = 20
    code, pts = out.codes[w][out.mask[w] > 0], out.points[w][out.mask[w] > 0]
    z = out.syn1[pts] @ h[0]
    by_hand = torch.where(code == 0, torch.sigmoid(z), 1 - torch.sigmoid(z)).prod()
    assert float(hl.hs_logprob(h[:1], out, torch.tensor([w])).exp()) == pytest.approx(float(by_hand), rel=1e-5)
    weight = torch.randn(37, 8, generator=g)
    targets = torch.tensor([0, 5, 36, 5, 1])
    ref = -F.cross_entropy(h @ weight.T, targets, reduction="none")
    assert torch.allclose(hl.softmax_logprob(h, weight, targets), ref, atol=1e-6)


def test_ladder_reports_costs_for_each_vocabulary():
    cfg = hl.HSConfig(dim=8, batch=4, repeats=1)
    rows = hl.ladder(cfg, [16, 300])
    assert [r.vocab for r in rows] == [16, 300]
    for r in rows:
        assert r.entropy <= r.mean_length <= r.entropy + 1 and r.mean_length <= r.max_length < r.vocab
        assert r.softmax_ms > 0 and r.hs_ms > 0
    cheap = hl.ladder(cfg, [300], measure=False)[0]
    assert np.isnan(cheap.softmax_ms) and cheap.mean_length == rows[1].mean_length
    for bad in (dict(dim=0), dict(zipf_s=float("nan")), dict(batch=10**6), dict(zipf_s=-1)):
        with pytest.raises(ValueError):
            hl.ladder(hl.HSConfig(**bad), [16])


@pytest.fixture(scope="module")
def tiny_mlm():
    cfg = cp.MLMConfig(vocab_size=30, d_model=16, n_heads=2, d_ff=32, max_len=8, steps=30, batch_size=16, lr=1e-2)
    rng = np.random.default_rng(0)
    data = cp.pack_sentences(
        [np.arange(s, s + int(rng.integers(3, 9))) % 28 + 2 for s in rng.integers(0, 28, 200)], cfg.max_len
    )
    model = cp.TinyMLM(cfg)
    for _ in cp.train_mlm(model, data, cfg):
        pass
    return model, cp.eval_batches(data, 0.15, 0, n_batches=1)[0][0]


def test_fp16_logits_allclose_fp32(tiny_mlm):
    """misc-14 check: fp16 logits allclose fp32 with atol 1e-2 (absolute); bf16 (7-bit mantissa) is coarser."""
    model, batch = tiny_mlm
    with torch.no_grad():
        ref = model(batch)[0]
        fp16 = cp.to_half(model, torch.float16)(batch)[0]
    assert fp16.dtype == torch.float16 and torch.allclose(fp16.float(), ref, atol=1e-2, rtol=0)
    gap16, agree16 = cp.half_precision_gap(model, batch, torch.float16)
    gap_bf, _ = cp.half_precision_gap(model, batch, torch.bfloat16)
    assert gap16 == pytest.approx(float((fp16.float() - ref).abs().max())) and agree16 > 0.95
    assert 0 < gap16 < gap_bf


def test_int8_linear_state_below_a_third_of_fp32():
    """misc-14 check on the lab's own head size (d 64 -> a 512-word vocabulary) and a square layer."""
    for lin in (nn.Linear(64, 512), nn.Linear(256, 256)):
        model = nn.Sequential(lin)
        assert cp.state_bytes(cp.quantize_int8(model)) < cp.state_bytes(model) / 3
