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

from engine.bert.causal_lm import CausalInputError, CausalLM, CausalLMConfig, build_lm_data, train_causal_lm
from engine.bert.model import TinyBert, TinyBertConfig
from engine.bert.wordpiece import train_wordpiece
from engine.core.corpus import load_documents
from engine.core.train import run
from engine.labs.mlm_causal import compare, distributions, influence, top_k, variants
from engine.transformer.tiny_encoder import EncoderConfig, TinyEncoder
from ui.i18n import strings

pytestmark = pytest.mark.usefixtures("one_torch_thread")
SENTENCE, EDIT = "the queen wears a crown of gold", "and the king eats rice with tea"


@pytest.fixture(scope="module")
def setup():
    docs = load_documents("toy_en")
    tok = train_wordpiece([s for d in docs for s in d], 2000)
    return (
        docs,
        tok,
        CausalLM(CausalLMConfig(d_model=32, d_ff=64), tok),
        TinyBert(TinyBertConfig(hidden=32, intermediate=64), tok),
    )


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
    assert (g["mlm"][i + 1 : real] > 0).any()  # some j > i reaches the MLM's prediction
    assert np.all(g["causal"][i:] == 0) and np.all(g["causal"][:i] > 0)
    r = compare(bert, lm, v)  # what the page shows
    assert r["delta"]["causal"] == 0.0 and r["delta"]["mlm"] > 0
    assert r["right_max"]["causal"] == 0.0 and r["right_max"]["mlm"] > 0 and r["influence"]["mlm"][i] == 0


def test_bad_input_is_a_coded_error(setup):
    _, tok, _, _ = setup
    for text, pos, right, code in [
        ("", 0, "", "empty"),
        ("a b", 5, "", "position"),
        ("x" * 700, 0, "", "too_long"),
        (" ".join(["gold"] * 40), 1, "", "too_long"),
        ("😀 🙂", 0, "", "all_unknown"),
    ]:
        with pytest.raises(CausalInputError) as e:
            variants(tok, text, pos, right, 32)
        assert e.value.code == code


def test_short_causal_run_beats_the_unigram_baseline(setup):
    docs, tok, _, _ = setup
    data = build_lm_data(docs, tok, 32)
    lm = CausalLM(CausalLMConfig(d_model=32, d_ff=64, steps=40, eval_every=40), tok)
    last = run(train_causal_lm(lm, data)).history[-1].metrics
    assert last["acc"] > data.unigram_accuracy + 0.1, (last, data.unigram_accuracy)


# ---------------------------------------------------------------- the lab on the BERT page (AppTest)
def open_lab(lang: str, **params):
    """The BERT page (toy corpus) with this lab open, entered through its link (conftest.open_lab)."""
    import conftest

    return conftest.open_lab("mlm_causal", lang, **params)


CHARTS = ["lab_mlm_causal_top_mlm", "lab_mlm_causal_top_causal", "lab_mlm_causal_masks", "lab_mlm_causal_grad"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lab_renders_the_comparison_untrained(lang):
    at = open_lab(lang)
    assert not at.exception, [e.value for e in at.exception]
    assert [c.key for c in at.get("plotly_chart")] == CHARTS and not at.warning
    s = strings(lang)
    assert [m.value for m in at.metric] == [s["lab_mlm_causal.changed"], s["lab_mlm_causal.unchanged"]]
    at = open_lab(lang, bert_mlm_causal_text="😀🎉 🙂")
    assert not at.exception and [w.value for w in at.warning] == [s["lab_mlm_causal.err_all_unknown"]]


def test_short_training_then_bad_input_keeps_the_model():
    from conftest import stop_after

    at = open_lab("en")
    at.button(key="lab_mlm_causal:train").click().run()
    job = stop_after(at.session_state["job:lab_mlm_causal"], 20)
    at.run()
    assert job.usable and not at.exception, (job.status, job.error, [e.value for e in at.exception])
    assert [c.key for c in at.get("plotly_chart") if c.key in CHARTS] == CHARTS
    assert at.metric[1].value == "unchanged"
    assert any(c.value == strings("en")["lab_mlm_causal.lm_trained"] for c in at.caption)
    s = strings("en")
    for widget, key, bad, good, code in [
        (at.number_input, "bert_mlm_causal_pos", 50, 3, "position"),
        (at.text_input, "bert_mlm_causal_text", "", SENTENCE, "empty"),
        (at.text_input, "bert_mlm_causal_right", "x " * 200, EDIT, "too_long"),
    ]:
        widget(key=key).set_value(bad).run()
        assert not at.exception and [w.value for w in at.warning] == [s[f"lab_mlm_causal.err_{code}"].format(n=30)], key
        assert at.session_state["job:lab_mlm_causal"] is job
        widget(key=key).set_value(good).run()
        assert not at.warning


def test_the_session_trained_tiny_bert_is_the_masked_lm():
    from conftest import stop_after

    at = open_lab("en")
    at.session_state["bert_tab"] = strings("en")["bert.tabs"][3]  # "Train a tiny BERT"
    at.run()
    at.button(key="bert:train").click().run()
    job = stop_after(at.session_state["job:bert"], 5)
    at.session_state["bert_tab"] = strings("en")["bert.tabs"][8]  # back to the Labs tab: the lab is still picked
    at.run()
    assert job.usable and not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    assert strings("en")["lab_mlm_causal.mlm_trained"].format(corpus="toy_en") in captions
    assert [c.key for c in at.get("plotly_chart") if c.key in CHARTS] == CHARTS
    assert [m.value for m in at.metric] == ["changed", "unchanged"]
