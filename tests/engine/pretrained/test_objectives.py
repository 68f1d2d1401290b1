"""Pre-training objectives. Oracles: the mask definitions (tril, P^T tril P), brute-force enumeration of a toy
3-token joint, binomial confidence intervals, and autograd dependency vs the closed-form receptive field."""

import itertools

import numpy as np
import pytest

from engine.pretrained import objectives as ob

TOKENS = ["[CLS]", "the", "cat", "sat", "on", "the", "mat", "[SEP]"]
VOCAB = ["the", "cat", "sat", "on", "mat", "dog", "ran"]


def test_lm_mask_is_tril_and_mlm_is_full():
    n = 6
    assert (ob.visibility("lm", n) == np.tril(np.ones((n, n)))).all()
    assert ob.visibility("mlm", n).all()
    assert ob.visibility("rtd", n).all()


def test_permutation_mask_equals_definition():
    """Oracle: z_t sees z_s iff s <= t (content stream) / s < t (query stream), by a double loop."""
    rng = np.random.default_rng(0)
    for _ in range(5):
        n = 6
        z = rng.permutation(n)
        rank = np.argsort(z)  # rank[pos] = step at which pos is predicted
        for qs in (False, True):
            m = ob.permutation_mask(z, query_stream=qs)
            for i, j in itertools.product(range(n), range(n)):
                assert m[i, j] == (rank[j] < rank[i] or (not qs and rank[j] == rank[i]))
        p = ob.permutation_matrix(z)
        assert (ob.permutation_mask(z).astype(int) == p.T @ np.tril(np.ones((n, n), dtype=int)) @ p).all()
    # the identity order is plain left-to-right LM
    assert (ob.permutation_mask(np.arange(5)) == ob.causal_mask(5)).all()


def test_seq2seq_mask():
    m = ob.seq2seq_mask(6, 2)
    assert m[:2, :2].all() and not m[:2, 2:].any()  # source: bidirectional, blind to the target
    assert m[2:, :2].all()  # target sees the whole source
    assert (m[2:, 2:] == np.tril(np.ones((4, 4), dtype=bool))).all()


def test_chain_rule_every_order_same_joint_but_mlm_product_differs():
    """Oracle: brute force over a random 3-token joint (2 x 3 x 2 outcomes)."""
    rng = np.random.default_rng(1)
    joint = rng.random((2, 3, 2))
    joint /= joint.sum()
    for order in itertools.permutations(range(3)):
        assert np.allclose(ob.chain_rule_joint(joint, order), joint)
    prod = ob.mlm_product(joint)
    assert not np.allclose(prod / prod.sum(), joint)
    # for an independent joint the MLM product is exact
    ind = np.einsum("i,j,k->ijk", [0.3, 0.7], [0.2, 0.5, 0.3], [0.6, 0.4])
    assert np.allclose(ob.mlm_product(ind), ind)


def test_mask_tokens_rates_and_special_tokens():
    """Oracle: 99.9% binomial CIs for the 15% choice and the 80/10/10 split over many tokens."""
    cfg = ob.ObjectiveConfig(seed=0)
    rng = np.random.default_rng(cfg.seed)
    chosen = masked = total = 0
    for _ in range(2000):
        inp, tgt = ob.mask_tokens(TOKENS, VOCAB, cfg, rng)
        assert inp[0] == "[CLS]" and inp[-1] == "[SEP]" and tgt[0] is None and tgt[-1] is None
        for a, t in zip(inp, tgt):
            if t is not None:
                chosen += 1
                masked += a == "[MASK]"
        total += len(TOKENS) - 2
    for k, n, p in ((chosen, total, 0.15), (masked, chosen, 0.8)):
        sd = np.sqrt(p * (1 - p) / n)
        assert abs(k / n - p) < 3.3 * sd


def test_rtd_label_is_input_differs():
    rng = np.random.default_rng(3)
    cfg = ob.ObjectiveConfig(mask_prob=0.5)
    inp, lab = ob.replaced_token_detection(TOKENS, VOCAB, cfg, rng)
    assert lab == [int(a != b) for a, b in zip(inp, TOKENS)]
    assert any(lab)


def test_nsp_half_and_sop_negative_is_swapped():
    sents = [f"s{i}" for i in range(50)]
    rng = np.random.default_rng(0)
    pairs = ob.nsp_pairs(sents, 4000, rng)
    share = np.mean([lab for *_, lab in pairs])
    assert abs(share - 0.5) < 3.3 * np.sqrt(0.25 / 4000)
    assert all(sents.index(b) == sents.index(a) + 1 for a, b, lab in pairs if lab == 1)
    for a, b, lab in ob.sop_pairs(sents, 500, rng):
        ia, ib = sents.index(a), sents.index(b)
        assert (ib == ia + 1) if lab else (ia == ib + 1)
    with pytest.raises(ValueError):
        ob.nsp_pairs(["only one"], 3, rng)


def test_contrastive_loss_closed_form():
    assert ob.contrastive_loss(2.0, [1.0]) == pytest.approx(-np.log(np.e**2 / (np.e**2 + np.e)))
    assert ob.contrastive_loss(1000.0, [0.0]) == pytest.approx(0.0, abs=1e-9)  # stable for large scores


@pytest.mark.parametrize("encoder", ["cnn", "rnn", "transformer", "mlp"])
@pytest.mark.parametrize("depth", [1, 2])
def test_receptive_field_autograd_equals_closed_form(encoder, depth):
    assert (ob.dependency_mask(encoder, 7, depth) == ob.dependency_closed_form(encoder, 7, depth)).all()


def test_unknown_objective_raises():
    with pytest.raises(ValueError):
        ob.visibility("nope", 3)


def test_attention_memory_equals_real_attention_tensor():
    """Oracle: the per-head weights nn.MultiheadAttention returns have numel B * h * n^2 (ptm-07)."""
    import torch

    b, h, n, d = 3, 4, 9, 8
    mha = torch.nn.MultiheadAttention(d, h, batch_first=True)
    x = torch.randn(b, n, d, generator=torch.Generator().manual_seed(0))
    _, w = mha(x, x, x, need_weights=True, average_attn_weights=False)
    assert w.shape == (b, h, n, n)
    assert ob.attention_memory_bytes(n, h, 1, b, w.element_size()) == w.numel() * w.element_size()
    assert ob.attention_memory_bytes(2 * n, h, 6, b, 2) == 4 * ob.attention_memory_bytes(n, h, 6, b, 2)
