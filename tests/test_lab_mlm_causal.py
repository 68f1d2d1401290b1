"""Lab `mlm_causal` (bert-06-1, bert-07-3, bert-08): a masked LM vs a causal LM with the same WordPiece pieces.

Oracles: the causal model's attention mask is exactly torch.tril and its weights above the diagonal are exactly 0;
its logits at positions <= i are bit-identical (torch.equal) when tokens > i change, while the same network with
the full mask changes (so the test can fail); autograd on the input embeddings: the MLM's prediction at i has a
non-zero gradient w.r.t. some x_j with j > i, the causal prediction exactly zero for every j >= i; a short run of
the causal LM beats the unigram baseline on held-out sentences."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.bert import TinyBert, TinyBertConfig
from engine.causal_lm import CausalInputError, CausalLM, CausalLMConfig, build_lm_data, train_causal_lm
from engine.corpus import load_documents
from engine.mlm_vs_causal import distributions, influence, top_k, variants
from engine.tiny_encoder import EncoderConfig, TinyEncoder
from engine.train import run
from engine.wordpiece import train_wordpiece

pytestmark = pytest.mark.usefixtures("one_torch_thread")
SENTENCE, EDIT = "the queen wears a crown of gold", "and the king eats rice with tea"


@pytest.fixture(scope="module")
def setup():
    docs = load_documents("toy_en")
    tok = train_wordpiece([s for d in docs for s in d], 2000)
    return docs, tok, CausalLM(CausalLMConfig(d_model=32, d_ff=64), tok), TinyBert(TinyBertConfig(hidden=32,
                                                                                                 intermediate=64), tok)


def test_causal_mask_is_tril_and_weights_above_the_diagonal_are_zero():
    model = TinyEncoder(EncoderConfig(vocab_size=11, causal=True, seed=1))
    ids = torch.randint(11, (3, 9), generator=torch.Generator().manual_seed(0))
    assert torch.equal(model.mask(ids)[0, 0], torch.ones(9, 9, dtype=torch.bool).tril())
    model(ids)
    assert torch.all(model.attention().triu(diagonal=1) == 0)


@pytest.mark.parametrize("causal", [True, False])
def test_outputs_up_to_i_are_bit_identical_only_with_the_causal_mask(causal):
    model = TinyEncoder(EncoderConfig(vocab_size=11, causal=causal, seed=2))
    a = torch.randint(11, (2, 10), generator=torch.Generator().manual_seed(0))
    b = a.clone()
    b[:, 6:] = (b[:, 6:] + 3) % 11  # edit every token after i = 5
    la, lb = model(a)[0], model(b)[0]
    assert torch.equal(la[:, :6], lb[:, :6]) == causal


def test_right_context_edit_moves_the_mlm_never_the_causal_lm(setup):
    _, tok, lm, bert = setup
    v = variants(tok, SENTENCE, 3, EDIT, 32)
    assert v.target == "a" and v.edited_pieces[3] == "[MASK]"
    d = distributions(bert, lm, v)
    assert np.array_equal(d["causal_original"], d["causal_edited"])  # bit-identical
    assert np.abs(d["mlm_original"] - d["mlm_edited"]).max() > 0
    assert all(w not in tok.all_special_tokens for w, _ in top_k(d["mlm_original"], tok))


def test_autograd_mlm_depends_on_the_right_the_causal_lm_does_not(setup):
    _, tok, lm, bert = setup
    v = variants(tok, SENTENCE, 3, EDIT, 32)
    g = influence(bert, lm, v)
    i = v.position + 1  # token index of the hidden piece ([CLS] is index 0)
    real = int(v.attention_mask[0].sum())
    assert (g["mlm"][i + 1:real] > 0).any()  # some j > i reaches the MLM's prediction
    assert np.all(g["causal"][i:] == 0) and np.all(g["causal"][:i] > 0)


def test_bad_input_is_a_coded_error(setup):
    _, tok, _, _ = setup
    for text, pos, right, code in [("", 0, "", "empty"), ("a b", 5, "", "position"), ("x" * 700, 0, "", "too_long"),
                                   (" ".join(["gold"] * 40), 1, "", "too_long"), ("😀 🙂", 0, "", "all_unknown")]:
        with pytest.raises(CausalInputError) as e:
            variants(tok, text, pos, right, 32)
        assert e.value.code == code


def test_short_causal_run_beats_the_unigram_baseline(setup):
    docs, tok, _, _ = setup
    data = build_lm_data(docs, tok, 32)
    lm = CausalLM(CausalLMConfig(d_model=32, d_ff=64, steps=40, eval_every=40), tok)
    last = run(train_causal_lm(lm, data)).history[-1].metrics
    assert last["acc"] > data.unigram_accuracy + 0.1, (last, data.unigram_accuracy)
