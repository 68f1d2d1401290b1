"""The BERT page's engine against oracles: `BertTokenizer` on a vocab.txt of our WordPiece vocabulary, the HF
embedding module, `BertForPreTraining`'s own loss, `BertModel` / `AlbertModel` numel on the meta device and
`num_parameters()`, binomial CIs for NSP, `roc_auc_score`, sentence-transformers for MiniLM's mean pooling."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.bert.masking import IGNORE, mask_tokens
from engine.bert.model import (
    BertInputError,
    TinyBert,
    TinyBertConfig,
    attentions,
    build_pretrain_data,
    embedding_parts,
    encode_pair,
    evaluate,
    predict_masked,
    train_bert,
    warmup_linear,
)
from engine.bert.nsp import IS_NEXT, NOT_NEXT, nsp_pairs, segment_ids
from engine.bert.wordpiece import train_wordpiece, vocab_file_lines
from engine.core.corpus import load_documents
from engine.core.train import run
from engine.transformer.param_count import PRESETS, Shape, bert_parts, count, pretraining_heads

TINY = TinyBertConfig(layers=2, hidden=32, heads=4, intermediate=64, max_len=32, steps=5, batch_size=8)


@pytest.fixture(scope="module")
def docs():
    return load_documents("toy_en")


@pytest.fixture(scope="module")
def tok(docs):
    return train_wordpiece([s for d in docs for s in d] + ["playing probability hairy"], vocab_size=300)


def test_wordpiece_matches_bert_tokenizer_on_its_vocab_file(tok, tmp_path):
    # the pure-Python reference (BasicTokenizer + greedy longest-match WordpieceTokenizer), independent of `tokenizers`
    from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy

    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(vocab_file_lines(tok)) + "\n", encoding="utf-8")
    ref = BertTokenizerLegacy(vocab_file=str(vocab), do_lower_case=True)
    for a, b in [
        ("The kitten is playing", "my dog is hairy"),
        ("probability!", "unknownwordxyz 42"),
        ("A KING rules", None),
    ]:
        ours, theirs = tok(a, b), ref(a, b, return_token_type_ids=True)
        assert ours["input_ids"] == theirs["input_ids"], (a, b)
        assert ours["token_type_ids"] == theirs["token_type_ids"]
    pieces = tok.tokenize("playing hairy")
    assert any(p.startswith("##") for p in pieces)
    enc = encode_pair(tok, "the cat sleeps", "the dog runs")
    assert enc["tokens"][0] == "[CLS]" and enc["tokens"].count("[SEP]") == 2 and enc["tokens"][-1] == "[SEP]"
    n_a = enc["tokens"].index("[SEP]") - 1
    assert enc["token_type_ids"] == segment_ids(n_a, len(enc["tokens"]) - n_a - 3)


def test_wordpiece_rejects_absurd_sizes():
    with pytest.raises(ValueError):
        train_wordpiece(["a b c"], vocab_size=0)
    with pytest.raises(ValueError):
        train_wordpiece(["", "   "], vocab_size=100)


def test_input_embedding_is_token_plus_segment_plus_position(tok):
    model = TinyBert(TINY, tok)
    enc = encode_pair(tok, "the cat sleeps", "a dog runs")
    parts = embedding_parts(model, enc)
    emb = model.net.bert.embeddings.eval()
    with torch.no_grad():
        ref = emb(input_ids=torch.tensor([enc["input_ids"]]), token_type_ids=torch.tensor([enc["token_type_ids"]]))
        ours = emb.LayerNorm(torch.tensor(parts["sum"]))
    assert torch.allclose(ref[0], ours, atol=1e-6)
    assert not np.allclose(parts["segment"][0], parts["segment"][-1])  # A and B rows differ


def test_loss_equals_bert_for_pretraining_loss(tok, docs):
    model = TinyBert(TINY, tok)
    data = build_pretrain_data(docs, tok, TINY, n_pairs=64, n_eval=16)
    ids, labels = mask_tokens(
        data.input_ids[:8],
        data.special_tokens_mask[:8],
        len(tok),
        tok.mask_token_id,
        generator=torch.Generator().manual_seed(0),
    )
    args = (ids, data.token_type_ids[:8], data.attention_mask[:8])
    model.eval()
    (_, nsp_logits), loss = model(*args, labels=labels, next_sentence_label=data.nsp_labels[:8])
    ref = model.net(
        input_ids=ids,
        token_type_ids=args[1],
        attention_mask=args[2],
        labels=labels,
        next_sentence_label=data.nsp_labels[:8],
    )
    assert torch.allclose(loss, ref.loss, atol=1e-5)
    # L1 is cross-entropy over masked positions only (ignore_index -100)
    l1 = F.cross_entropy(ref.prediction_logits.reshape(-1, len(tok)), labels.reshape(-1), ignore_index=IGNORE)
    l2 = F.cross_entropy(nsp_logits, data.nsp_labels[:8])
    assert torch.allclose(loss, l1 + l2, atol=1e-5)


@pytest.mark.parametrize(
    "shape",
    [
        PRESETS["bert-base"],
        PRESETS["bert-large"],
        PRESETS["tiny"],
        Shape(vocab=500, hidden=64, layers=3, heads=4, intermediate=100, max_positions=40),
    ],
)
def test_bert_parameter_formula_equals_numel_on_meta(shape):
    from transformers import BertConfig, BertForPreTraining, BertModel

    cfg = BertConfig(
        vocab_size=shape.vocab,
        hidden_size=shape.hidden,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=shape.ffn,
        max_position_embeddings=shape.max_positions,
    )
    with torch.device("meta"):
        model = BertModel(cfg)
        full = BertForPreTraining(cfg)
    assert count(shape) == sum(p.numel() for p in model.parameters())
    assert count(shape) + pretraining_heads(shape) == full.num_parameters()


def test_known_totals_and_albert():
    from transformers import AlbertConfig, AlbertModel

    assert count(PRESETS["bert-base"]) == 109_482_240
    assert count(PRESETS["bert-large"]) == 335_141_888
    assert count(PRESETS["albert-base"]) == 11_683_584
    layer = bert_parts(Shape(layers=1))["encoder"]
    assert layer == 12 * 768**2 + 13 * 768
    for name, kw in [
        ("albert-base", dict(hidden_size=768, num_attention_heads=12, intermediate_size=3072)),
        ("albert-large", dict(hidden_size=1024, num_attention_heads=16, intermediate_size=4096, num_hidden_layers=24)),
    ]:
        with torch.device("meta"):
            model = AlbertModel(AlbertConfig(**kw))
        assert count(PRESETS[name]) == sum(p.numel() for p in model.parameters())
    cfg = AlbertConfig()  # ALBERT v2 defaults: no dropout at all
    assert cfg.hidden_dropout_prob == 0 and cfg.attention_probs_dropout_prob == 0


def test_nsp_pairs_half_next_and_truthful():
    rng = np.random.default_rng(0)
    docs = [[f"d{d} s{i}" for i in range(5)] for d in range(30)]
    pairs = nsp_pairs(docs, 10_000, rng)
    k = sum(p.label == IS_NEXT for p in pairs)
    z99 = 2.576
    assert abs(k - 5000) <= z99 * math.sqrt(10_000 * 0.25)
    for p in pairs:
        if p.label == IS_NEXT:
            assert p.doc_a == p.doc_b and p.sent_b == p.sent_a + 1 and p.b == docs[p.doc_b][p.sent_b]
        else:
            assert p.label == NOT_NEXT and p.doc_a != p.doc_b
    others = {p.doc_b for p in pairs if p.label == NOT_NEXT}
    assert len(others) == 30  # every other document can be drawn
    with pytest.raises(ValueError):
        nsp_pairs([["only one document", "two sentences"]], 10, rng)


def test_short_training_beats_the_unigram_baseline(tok, docs):
    torch.set_num_threads(1)
    # 30% masking gives twice the targets per step, so a 200-step run is enough to leave the unigram plateau
    cfg = TinyBertConfig(
        layers=1,
        hidden=64,
        heads=4,
        intermediate=128,
        max_len=32,
        steps=200,
        batch_size=32,
        lr=5e-3,
        warmup=0.1,
        mlm_probability=0.3,
        eval_every=200,
        seed=0,
    )
    data = build_pretrain_data(docs, tok, cfg, n_pairs=2000, n_eval=200)
    model = TinyBert(cfg, tok)
    before = evaluate(model, data)["mlm_acc"]
    result = run(train_bert(model, data))
    last = result.history[-1]
    assert last.step == 200 and {"mlm_loss", "nsp_loss", "mlm_acc", "unigram_acc"} <= set(last.metrics)
    assert last.metrics["mlm_acc"] > 1.4 * data.unigram_accuracy > before
    fills = predict_masked(model, "the cat is a friendly [MASK]")
    assert len(fills) == 1 and len(fills[0][1]) == 5
    assert sum(p for _, p in fills[0][1]) <= 1.0 + 1e-6


def test_warmup_then_linear_decay():
    lrs = [warmup_linear(s, 100, 0.1) for s in range(100)]
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0) and lrs[-1] < 0.02
    assert max(lrs) == pytest.approx(1.0) and np.argmax(lrs) == 9


@pytest.mark.parametrize(
    "text,code",
    [
        ("the cat is a friendly pet", "no_mask"),
        (" ".join(["[MASK]"] * 12), "many_masks"),
        ("x" * 10_000 + " [MASK]", "too_long"),
        ("", "empty"),
        ("   ", "empty"),
        ("😀🎉 [MASK] 🙂", "all_unknown"),
        ("ℵℶ [MASK] ℷ", "all_unknown"),
    ],
)
def test_bad_sentences_give_a_coded_error(tok, text, code):
    model = TinyBert(TINY, tok)
    with pytest.raises(BertInputError) as err:
        predict_masked(model, text)
    assert err.value.code == code


def test_lower_case_mask_and_attentions_shape(tok):
    model = TinyBert(TINY, tok)
    assert len(predict_masked(model, "the [mask] sleeps")) == 1
    tokens, att = attentions(model, "the cat sleeps", "the dog runs")
    assert att.shape == (2, 4, len(tokens), len(tokens))
    assert np.allclose(att.sum(-1), 1.0, atol=1e-5)


def test_config_validation():
    for bad in [dict(hidden=30, heads=4), dict(layers=0), dict(lr=1e9), dict(batch_size=0), dict(max_len=2)]:
        with pytest.raises(BertInputError):
            TinyBertConfig(**bad).validate()


def test_visibility_masks_match_autograd_dependencies():
    """Oracle: autograd on random attention stacks. GPT / ELMo-forward = lower triangle, ELMo-backward = upper,
    BERT = everything already in layer 1; the ELMo concatenation covers both sides only through its two halves."""
    from engine.bert.visibility import KINDS, dependency, halves_dependency, mask_matrix

    n = 6
    assert np.array_equal(mask_matrix("gpt", n), np.tril(np.ones((n, n), dtype=bool)))
    for kind in KINDS:
        for layers in (1, 3):
            assert np.array_equal(dependency(kind, n, layers), mask_matrix(kind, n)), (kind, layers)
    fwd, bwd = halves_dependency(n, layers=1)
    assert not fwd[2, 3] and fwd[2, 1] and bwd[2, 3] and not bwd[2, 1]
    assert dependency("bert", n, 1).all()
    with pytest.raises(ValueError):
        dependency("bert", 0)
