"""Oracle tests for engine/transformer/model.py, toy_tasks.py, normalization.py and complexity.py."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from engine.core.train import run
from engine.transformer import cost as cx
from engine.transformer.model import (
    CalcConfig,
    EncoderLayer,
    MultiHeadAttention,
    Seq2SeqTransformer,
    TrainConfig,
    TransformerConfig,
    attention_walkthrough,
    causal_mask,
    encoder_outputs,
    greedy_decode,
    head_ablation,
    order_check,
    pe_rotation,
    positional_encoding,
    scaled_dot_product_attention,
    scaling_stats,
    softmax_jacobian,
    tokenize,
    train_seq2seq,
)
from engine.transformer.norms import NormConfig, batch_mate_drift, batch_norm, layer_norm, padded_batch
from engine.transformer.toy_tasks import BOS, EOS, PAD, ToyTask, decode_digits, encode_digits, shift_right


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# ------------------------------------------------------------------------------------------ attention


@pytest.mark.parametrize("masked", [False, True])
def test_sdpa_matches_torch(masked):
    """Oracle: torch.nn.functional.scaled_dot_product_attention (same boolean True = attend convention)."""
    g = _gen(1)
    q, k, v = (torch.randn(2, 3, 5, 8, generator=g, dtype=torch.float64) for _ in range(3))
    mask = causal_mask(5) if masked else None
    out, w = scaled_dot_product_attention(q, k, v, mask)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, ref)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3, 5, dtype=torch.float64))
    if masked:
        assert (w.triu(1) == 0).all()


def _copy_into_torch_mha(ours: MultiHeadAttention, d: int, h: int) -> nn.MultiheadAttention:
    ref = nn.MultiheadAttention(d, h, batch_first=True).double()
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([ours.q_proj.weight, ours.k_proj.weight, ours.v_proj.weight]))
        ref.in_proj_bias.copy_(torch.cat([ours.q_proj.bias, ours.k_proj.bias, ours.v_proj.bias]))
        ref.out_proj.weight.copy_(ours.out_proj.weight)
        ref.out_proj.bias.copy_(ours.out_proj.bias)
    return ref


@pytest.mark.parametrize("mask_kind", ["none", "causal", "padding"])
def test_multihead_matches_nn_multiheadattention(mask_kind):
    """Oracle: torch.nn.MultiheadAttention with copied weights; per-head weights via average_attn_weights=False.
    Torch's masks use the opposite convention (True = blocked), hence the ~."""
    torch.manual_seed(0)
    d, h, b, t = 16, 4, 3, 6
    ours = MultiHeadAttention(d, h).double()
    ref = _copy_into_torch_mha(ours, d, h)
    x = torch.randn(b, t, d, generator=_gen(2), dtype=torch.float64)
    kwargs, mask = {}, None
    if mask_kind == "causal":
        mask = causal_mask(t)
        kwargs["attn_mask"] = ~mask
    elif mask_kind == "padding":
        keep = torch.ones(b, t, dtype=torch.bool)
        keep[1, 4:] = False
        keep[2, 2:] = False
        mask = keep[:, None, None, :]
        kwargs["key_padding_mask"] = ~keep
    out, w = ours(x, x, x, mask)
    ref_out, ref_w = ref(x, x, x, need_weights=True, average_attn_weights=False, **kwargs)
    torch.testing.assert_close(out, ref_out)
    torch.testing.assert_close(w, ref_w)


@pytest.mark.parametrize("h", [1, 2, 4, 8])
def test_mha_param_count_independent_of_heads(h):
    """Closed form: 4·d² + 4·d parameters for every number of heads."""
    assert cx.parameter_count(MultiHeadAttention(32, h)) == 4 * 32 * 32 + 4 * 32


def test_mha_rejects_indivisible_heads():
    with pytest.raises(ValueError):
        MultiHeadAttention(10, 3)
    with pytest.raises(ValueError):
        TransformerConfig(d_model=10, n_heads=3).validate()
    with pytest.raises(ValueError):
        TransformerConfig(n_layers=0).validate()


def test_encoder_layer_matches_torch_layer():
    """Oracle: nn.TransformerEncoderLayer (post-LN, ReLU, no dropout) with copied weights."""
    torch.manual_seed(0)
    d, h, ff = 16, 4, 32
    ours = EncoderLayer(d, h, ff).double().eval()
    ref = nn.TransformerEncoderLayer(d, h, ff, dropout=0.0, batch_first=True).double().eval()
    with torch.no_grad():
        mha = _copy_into_torch_mha(ours.self_attn, d, h)
        ref.self_attn.load_state_dict(mha.state_dict())
        ref.linear1.load_state_dict(ours.ffn.linear1.state_dict())
        ref.linear2.load_state_dict(ours.ffn.linear2.state_dict())
        ref.norm1.load_state_dict(ours.sub1.norm.state_dict())
        ref.norm2.load_state_dict(ours.sub2.norm.state_dict())
    x = torch.randn(2, 5, d, generator=_gen(3), dtype=torch.float64)
    torch.testing.assert_close(ours(x), ref(x))


def test_shared_qk_gives_symmetric_scores():
    """Closed form: with W_Q = W_K the score matrix X W (X W)ᵀ is exactly symmetric; separate W_Q, W_K is not."""
    toks = tokenize("The Law will never be perfect, but its application should be just")
    shared = attention_walkthrough(toks, CalcConfig(mode="shared"))
    separate = attention_walkthrough(toks, CalcConfig(mode="qkv"))
    assert torch.equal(shared["scores"], shared["scores"].T)
    assert not torch.allclose(separate["scores"], separate["scores"].T)
    torch.testing.assert_close(separate["weights"].sum(-1), torch.ones(len(toks), dtype=torch.float64))
    ref = F.scaled_dot_product_attention(separate["q"], separate["k"], separate["v"])
    torch.testing.assert_close(separate["out"], ref)


def test_tokenize_bad_input():
    with pytest.raises(ValueError):
        tokenize("   ")
    with pytest.raises(ValueError):
        tokenize("word " * 2500)  # a 5,000+ character sentence
    assert tokenize("我爱NLP") == ["我", "爱", "NLP"]


# ----------------------------------------------------------------------------------------- positions


def test_positional_encoding_closed_form():
    """Closed form from the paper: d=6, pos=1."""
    pe = positional_encoding(4, 6)
    expected = torch.tensor([0.841471, 0.540302, 0.046399, 0.998923, 0.002154, 0.999998])
    torch.testing.assert_close(pe[1], expected, atol=1e-6, rtol=0)
    assert torch.equal(pe[0, 0::2], torch.zeros(3)) and torch.equal(pe[0, 1::2], torch.ones(3))


@pytest.mark.parametrize("k", [1, 3, 17])
def test_pe_offset_is_a_fixed_rotation(k):
    """Closed form: PE[pos + k] = R_k PE[pos] for every pos; PE[pos]·PE[pos+k] depends only on k."""
    d = 16
    pe = positional_encoding(64, d).double()
    r = pe_rotation(k, d)
    torch.testing.assert_close(pe[: 64 - k] @ r.T, pe[k:], atol=1e-5, rtol=0)
    dots = (pe[: 64 - k] * pe[k:]).sum(-1)
    torch.testing.assert_close(dots, torch.full_like(dots, float(dots[0])), atol=1e-5, rtol=0)


def test_permutation_equivariance_without_pe():
    """Closed form: without PE, enc(P X) = P enc(X); with PE this fails."""
    toks = ["the", "cat", "sat", "on", "mat"]
    order = [4, 2, 0, 1, 3]
    a, b = encoder_outputs(toks, order, use_pe=False)
    torch.testing.assert_close(a[order], b)
    a, b = encoder_outputs(toks, order, use_pe=True)
    assert not torch.allclose(a[order], b, atol=1e-3)


# ------------------------------------------------------------------------------------- model + task


def _tiny(**kw) -> Seq2SeqTransformer:
    cfg = TransformerConfig(vocab_size=13, d_model=16, n_heads=2, n_layers=1, d_ff=32, seed=0, **kw)
    return Seq2SeqTransformer(cfg)


def test_same_seed_same_model_and_batches():
    """Explicit randomness: the seed alone fixes the weights and the data (no global RNG involved)."""
    torch.manual_seed(1)
    a = _tiny()
    torch.manual_seed(2)
    b = _tiny()
    for (name, pa), pb in zip(a.named_parameters(), b.parameters()):
        assert torch.equal(pa, pb), name
    task = ToyTask("sort", 2, 6, 3)
    assert all(torch.equal(x, y) for x, y in zip(task.batch(4, _gen(9)), task.batch(4, _gen(9))))
    torch.manual_seed(3)
    r1 = order_check(["a", "b", "c"], [2, 1, 0], use_pe=True)
    torch.manual_seed(4)
    assert order_check(["a", "b", "c"], [2, 1, 0], use_pe=True) == r1


def test_toy_task_shapes_and_shift():
    """tgt_in is tgt_out shifted right behind <bos>; reverse reverses; padding lines up."""
    task = ToyTask("reverse", 2, 5, 0)
    src, tgt_in, tgt_out = task.batch(8, _gen(0))
    assert src.shape == (8, 5) and tgt_in.shape == tgt_out.shape == (8, 6)
    assert (tgt_in[:, 0] == BOS).all()
    keep = tgt_out != PAD
    torch.testing.assert_close(tgt_in[:, 1:][keep[:, 1:]], tgt_out[:, :-1][keep[:, 1:]])
    for b in range(8):
        s = [t for t in src[b].tolist() if t != PAD]
        o = [t for t in tgt_out[b].tolist() if t != PAD]
        assert o == s[::-1] + [EOS]
    assert torch.equal(shift_right(torch.tensor([5, 6, 7]))[1:], torch.tensor([5, 6]))
    assert decode_digits(encode_digits("30 41")) == "3041"
    with pytest.raises(ValueError):
        encode_digits("12a")
    with pytest.raises(ValueError):
        encode_digits("")


def test_loss_is_cross_entropy_ignoring_pad():
    """Oracle: nn.CrossEntropyLoss(ignore_index=pad) on the logits."""
    model = _tiny()
    src, tgt_in, tgt_out = ToyTask("copy", 2, 5, 0).batch(4, _gen(0))
    logits, loss = model(src, tgt_in, tgt_out)
    ref = nn.CrossEntropyLoss(ignore_index=PAD)(logits.reshape(-1, 13), tgt_out.reshape(-1))
    torch.testing.assert_close(loss, ref)
    assert model(src, tgt_in)[1] is None


@pytest.mark.parametrize("pre_ln", [False, True])
def test_causal_mask_hides_the_future(pre_ln):
    """Causal-mask invariance: changing target tokens after position i leaves logits at ≤ i unchanged."""
    model = _tiny(pre_ln=pre_ln).eval()
    src, tgt_in, _ = ToyTask("copy", 6, 6, 0).batch(2, _gen(4))
    changed = tgt_in.clone()
    changed[:, 4:] = (changed[:, 4:] + 1) % 10 + 3
    a, _ = model(src, tgt_in)
    b, _ = model(src, changed)
    torch.testing.assert_close(a[:, :4], b[:, :4])
    assert not torch.allclose(a[:, 4:], b[:, 4:])


def test_parallel_teacher_forcing_equals_incremental():
    """tf-02: one parallel masked pass == n incremental passes over growing prefixes; greedy == argmax."""
    model = _tiny().eval()
    src = torch.tensor(encode_digits("31415"))
    full = [BOS] + encode_digits("27182")
    with torch.no_grad():
        memory, m = model.encode(src[None])
        parallel = model.decode(memory, m, torch.tensor([full]))[0]
        for i in range(1, len(full) + 1):
            torch.testing.assert_close(
                model.decode(memory, m, torch.tensor([full[:i]]))[0, -1], parallel[i - 1], atol=1e-5, rtol=1e-5
            )
    steps = greedy_decode(model, src, bos=BOS, eos=EOS, max_len=7)
    for s in steps:
        with torch.no_grad():
            assert s.token == int(model(src[None], torch.tensor([s.prefix]))[0][0, -1].argmax())
        assert s.cross.shape == (1, 2, 5)
        torch.testing.assert_close(s.cross.sum(-1), torch.ones(1, 2))


@pytest.fixture
def one_thread():
    """As in the app's training thread: on a shared 2-core machine, 2 intra-op threads are much slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_short_run_learns(one_thread):
    """A fixed-seed short run learns: the loss falls well below the uniform log|V| (= log 13 ≈ 2.56)."""
    task = ToyTask("reverse", 3, 6, 0)
    model = Seq2SeqTransformer(TransformerConfig(vocab_size=13, d_model=32, n_heads=4, n_layers=1, d_ff=64))
    res = run(train_seq2seq(model, task, TrainConfig(steps=120, batch_size=32, lr=3e-3, eval_every=60)))
    assert res.status == "done"
    assert sum(res.losses[:5]) / 5 > 2.0
    assert sum(res.losses[-10:]) / 10 < 0.5 * math.log(13)


def test_head_ablation_matches_manual_zeroing():
    """Brute force: switching a head off == zeroing its slice of the concatenated heads, i.e. the matching
    d_k input columns of W^O; a model with every head intact gives zero loss change."""
    model = _tiny().eval()
    src, tgt_in, tgt_out = ToyTask("copy", 3, 5, 0).batch(8, _gen(6))
    deltas = head_ablation(model, src, tgt_in, tgt_out)
    assert set(deltas) == {"enc L1", "dec-self L1", "dec-cross L1"} and all(len(v) == 2 for v in deltas.values())
    base = float(model(src, tgt_in, tgt_out)[1])
    mha = model.decoder[0].cross_attn
    with torch.no_grad():
        saved = mha.out_proj.weight.clone()
        mha.out_proj.weight[:, 8:16] = 0.0  # head 2 of 2, d_k = 8
        manual = float(model(src, tgt_in, tgt_out)[1]) - base
        mha.out_proj.weight.copy_(saved)
    assert abs(manual - deltas["dec-cross L1"][1]) < 1e-5
    assert mha.head_mask is None and float(model(src, tgt_in, tgt_out)[1]) == base


def test_train_config_validation():
    with pytest.raises(ValueError):
        TrainConfig(lr=1e9).validate()
    with pytest.raises(ValueError):
        TrainConfig(steps=0).validate()


# ----------------------------------------------------------------------------------------- √d_k


def test_dot_product_variance_is_dk():
    """Closed form: for iid N(0,1) entries var(q·k) = d_k; after /√d_k it is 1 (within 5 % at 1e5 samples)."""
    s = scaling_stats(64, n_samples=100_000)
    assert abs(s["var"] / 64 - 1) < 0.05 and abs(s["var_scaled"] - 1) < 0.05
    assert s["maxp_raw"] > s["maxp_scaled"] and s["jac_raw"] < s["jac_scaled"]


def test_softmax_jacobian_matches_autograd():
    """Oracle: torch.autograd.functional.jacobian of softmax == diag(p) − p pᵀ."""
    s = torch.randn(6, generator=_gen(5), dtype=torch.float64)
    ref = torch.autograd.functional.jacobian(lambda z: torch.softmax(z, -1), s)
    torch.testing.assert_close(softmax_jacobian(torch.softmax(s, -1)), ref)


# ------------------------------------------------------------------------------------- BN vs LN


def test_norms_match_torch():
    """Oracle: nn.LayerNorm(C, elementwise_affine=False) and nn.BatchNorm1d(C, affine=False) in train mode."""
    x, mask = padded_batch(NormConfig(batch=5, seq_len=7, channels=6, pad_ratio=0.4, seed=1))
    ln, _, _ = layer_norm(x)
    torch.testing.assert_close(ln, nn.LayerNorm(6, elementwise_affine=False)(x))
    bn, mean, var = batch_norm(x)
    ref = nn.BatchNorm1d(6, affine=False).train()(x.transpose(1, 2)).transpose(1, 2)
    torch.testing.assert_close(bn, ref)
    assert (~mask).any()  # the batch really has padding
    bn_masked, mean_masked, _ = batch_norm(x, mask)
    assert not torch.allclose(mean, mean_masked)
    # LN: every token has mean 0 and variance 1
    torch.testing.assert_close(ln.mean(-1), torch.zeros(5, 7), atol=1e-5, rtol=0)


def test_ln_ignores_batch_mates_bn_does_not():
    """Exact: LN output of a sample is independent of its batch mates; BN's is not. BN refuses a (1, C) batch."""
    drift = batch_mate_drift(NormConfig(batch=4, seq_len=5, channels=6, seed=2), n_resamples=5)
    assert drift["ln"] == 0.0 and drift["bn"] > 0.05
    with pytest.raises(ValueError):
        nn.BatchNorm1d(6).train()(torch.randn(1, 6))


# ------------------------------------------------------------------------------------ complexity


def test_attention_flops_closed_form():
    """Oracle: torch.utils.flop_counter.FlopCounterMode on QKᵀ and AV == 4·n²·d."""
    from torch.utils.flop_counter import FlopCounterMode

    n, d = 12, 20
    q, k, v = (torch.randn(n, d) for _ in range(3))
    with FlopCounterMode(display=False) as counter:
        (q @ k.T).softmax(-1) @ v
    assert counter.get_total_flops() == cx.attention_flops(n, d)


def test_layer_table_faster_badge():
    """Closed form: the self-attention layer is cheaper iff n < d."""
    assert cx.layer_table(50, 512)[0]["faster"] == "self_attention"
    assert cx.layer_table(1024, 512)[0]["faster"] == "recurrent"
    row = cx.layer_table(7, 9)
    assert row[0]["self_attention"] == 7 * 7 * 9 and row[0]["recurrent"] == 7 * 9 * 9 and row[2]["recurrent"] == 7


def test_double_loop_scores_equal_matmul():
    """tf-10: the batched QKᵀ equals the one-pair-at-a-time double loop (float64)."""
    q, k = torch.randn(5, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64)
    torch.testing.assert_close(cx.scores_double_loop(q, k), q @ k.T)


def test_transformer_param_count():
    """Oracle: nn.Transformer(512, 8, 6, 6, 2048) has 44,140,544 parameters (built on the meta device)."""
    with torch.device("meta"):
        model = nn.Transformer(512, 8, 6, 6, 2048)
    assert cx.parameter_count(model) == 44_140_544 == cx.transformer_params(512, 8, 6, 6, 2048)
    counts = cx.module_counts(model)
    assert counts["Dropout"] == 42 and counts["Linear"] == 42


def test_lstm_equals_cell_loop_and_gradient_reach():
    """Oracle: nn.LSTM == a Python loop over nn.LSTMCell with the same weights (the n dependent steps);
    the LSTM's dependence on x_1 fades with n while one attention layer keeps a direct path."""
    torch.manual_seed(0)
    d, n = 6, 7
    lstm, cell = nn.LSTM(d, d, batch_first=True), nn.LSTMCell(d, d)
    with torch.no_grad():
        cell.weight_ih.copy_(lstm.weight_ih_l0)
        cell.weight_hh.copy_(lstm.weight_hh_l0)
        cell.bias_ih.copy_(lstm.bias_ih_l0)
        cell.bias_hh.copy_(lstm.bias_hh_l0)
    x = torch.randn(2, n, d)
    h = c = torch.zeros(2, d)
    outs = []
    for t in range(n):
        h, c = cell(x[:, t], (h, c))
        outs.append(h)
    torch.testing.assert_close(lstm(x)[0], torch.stack(outs, 1))
    reach = cx.gradient_reach([2, 64], d=16)
    assert reach["lstm"][1] < 1e-3 * reach["lstm"][0]
    assert reach["attention"][1] > 1e-3 * reach["attention"][0]


def test_measurements_run():
    m = cx.measure_layers(16, 8, repeats=1)
    assert m["attn_s"] > 0 and m["lstm_s"] > 0 and m["attn_bytes"] > 0
    with pytest.raises(ValueError):
        cx.measure_layers(0, 8)


@pytest.mark.parametrize("norm", ["post", "pre", "none"])
@pytest.mark.parametrize("residual", [True, False])
def test_depth_profile_equals_torch_layer_norm_and_autograd(norm, residual):
    """tf-05 Add & Norm depth profile. Oracle: the same stack rebuilt from the same generator with
    torch.nn.functional.layer_norm and nn.Linear-free matmuls, its stds and first-weight gradient norms by autograd."""

    from engine.core.seeding import generator
    from engine.transformer.norms import EPS, depth_profile

    depth, d, batch = 5, 16, 8
    got = depth_profile(depth, d=d, residual=residual, norm=norm, batch=batch, seed=3)
    gen = generator(3)
    ws = []
    for _ in range(depth):
        w1 = (torch.randn(d, 4 * d, generator=gen) * math.sqrt(2.0 / d)).requires_grad_()
        w2 = (torch.randn(4 * d, d, generator=gen) * math.sqrt(1.0 / (4 * d))).requires_grad_()
        ws.append((w1, w2))
    x = torch.randn(batch, d, generator=gen)
    stds = []
    for w1, w2 in ws:
        ln = lambda h: F.layer_norm(h, (d,), eps=EPS)  # noqa: E731
        ffn = lambda h: torch.relu(h @ w1) @ w2  # noqa: E731, B023 - called within this iteration
        skip = x if residual else torch.zeros_like(x)
        if norm == "pre":
            x = skip + ffn(ln(x))
        elif norm == "post":
            x = ln(skip + ffn(x))
        else:
            x = skip + ffn(x)
        stds.append(float(x.detach().std()))
    probe = torch.randn(batch, d, generator=gen)
    ((x * probe).sum() / batch).backward()
    assert got["std"] == pytest.approx(stds, rel=1e-5)
    assert got["grad"] == pytest.approx([float(w1.grad.norm()) for w1, _ in ws], rel=1e-4)
    if norm == "post":  # every row normalised: the whole activation has std ~1 after each layer
        assert all(abs(s - 1) < 0.05 for s in got["std"])
