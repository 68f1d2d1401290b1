"""bert-12 lab (BERT's limitations). Oracles: KL(joint || product of marginals) in closed form == the mutual
information by brute-force entropies == sklearn.metrics.mutual_info_score; 0 for an independent joint; Monte
Carlo frequency of impossible pairs under independent sampling; whole-word masking never splits a word over 1k
draws and chooses words at the rate of transformers' DataCollatorForLanguageModeling(whole_word_mask=True)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.bert import wwm_pieces as wp
from engine.bert.masking import binomial_halfwidth
from engine.labs import independence as ind


def _mi_brute_force(P):
    def H(ps):
        return -sum(p * math.log(p) for p in ps if p > 0)

    rows = [sum(P[a, b] for b in range(P.shape[1])) for a in range(P.shape[0])]
    cols = [sum(P[a, b] for a in range(P.shape[0])) for b in range(P.shape[1])]
    return H(rows) + H(cols) - H([P[a, b] for a in range(P.shape[0]) for b in range(P.shape[1])])


@pytest.mark.parametrize("tie,new_york", [(1.0, 40.0), (0.5, 40.0), (1.0, 5.0), (0.2, 80.0)])
def test_kl_equals_mutual_information(tie, new_york):
    from sklearn.metrics import mutual_info_score

    P = ind.city_joint(ind.JointConfig(tie=tie, new_york=new_york))
    kl = ind.kl_to_product(P)
    assert kl > 0.01
    assert kl == pytest.approx(_mi_brute_force(P), abs=1e-12)
    assert kl == pytest.approx(mutual_info_score(None, None, contingency=np.round(P * 1e9)), rel=1e-6)


def test_independent_joint_has_zero_kl_and_same_marginals():
    full = ind.city_joint(ind.JointConfig(tie=1.0))
    indep = ind.city_joint(ind.JointConfig(tie=0.0))
    assert ind.kl_to_product(indep) == pytest.approx(0.0, abs=1e-12)
    for a, b in zip(ind.marginals(full), ind.marginals(indep)):
        np.testing.assert_allclose(a, b)
    assert ind.impossible_mass(full) > 0.3  # e.g. "New Angeles", "Los York"


def test_impossible_mass_matches_sampling():
    P = ind.city_joint(ind.JointConfig())
    pairs = ind.sample_independent(P, 20_000, seed=2)
    valid = ind.city_mask()
    freq = np.mean([not valid[a, b] for a, b in pairs])
    expect = ind.impossible_mass(P, valid)
    assert abs(freq - expect) < binomial_halfwidth(expect, len(pairs), z=4)
    assert ind.impossible_mass(P, valid) == pytest.approx(ind.impossible_mass(P))


@pytest.fixture(scope="module")
def tok():
    from engine.pretrained.minilm import load_minilm_tokenizer

    return load_minilm_tokenizer()


EN = "pretraining learns probabilistic embeddings for tokenization"


def test_whole_word_masking_never_splits_a_word(tok):
    words = wp.word_pieces(EN, tok)
    assert [len(w) for w in words] == [3, 1, 4, 4, 1, 2]
    ww = wp.mask_pieces(words, 1000, 0.15, whole_word=True, seed=0)
    for w in np.unique(ww["word_of"]):
        k = ww["chosen"][:, ww["word_of"] == w]
        assert np.all(k.all(1) | ~k.any(1))
    assert wp.split_share(ww["chosen"], ww["word_of"])[0] == 0.0
    piece = wp.mask_pieces(words, 1000, 0.15, whole_word=False, seed=0)
    assert wp.split_share(piece["chosen"], piece["word_of"])[0] > 0.5
    zh = wp.word_pieces("使用语言模型来预测下一个词的概率", tok)
    assert ["模", "型"] in zh and all(len(p) == 1 for w in zh for p in w)
    assert wp.word_pieces("😀 🎉 ,,, !", tok) == [] and wp.word_pieces("", tok) == []
    assert 100 < sum(len(w) for w in wp.word_pieces("probabilistic " * 500, tok)) <= wp.MAX_PIECES  # long text is cut


def test_word_choice_rate_matches_transformers_collator(tok):
    from transformers import DataCollatorForLanguageModeling

    words = wp.word_pieces(EN, tok)
    n = 1000
    ours = wp.mask_pieces(words, n, 0.15, whole_word=True, seed=1)
    first = np.r_[True, ours["word_of"][1:] != ours["word_of"][:-1]]
    rate_ours = ours["chosen"][:, first].mean()

    coll = DataCollatorForLanguageModeling(tok, whole_word_mask=True, mlm_probability=0.15, seed=1)
    enc = tok([EN] * n, return_offsets_mapping=True, return_special_tokens_mask=True)
    batch = coll(
        [
            {k: enc[k][i] for k in ("input_ids", "attention_mask", "offset_mapping", "special_tokens_mask")}
            for i in range(n)
        ]
    )
    chosen = (batch["labels"] != -100).numpy()[:, 1:-1]  # drop [CLS] / [SEP]
    assert chosen.shape[1] == len(ours["pieces"])
    for w in np.unique(ours["word_of"]):  # the collator never splits a word either
        k = chosen[:, ours["word_of"] == w]
        assert np.all(k.all(1) | ~k.any(1))
    rate_hf = chosen[:, first].mean()
    m = n * first.sum()
    assert abs(rate_ours - rate_hf) < binomial_halfwidth(0.15, m, z=4) * math.sqrt(2)
    assert abs(rate_ours - 0.15) < binomial_halfwidth(0.15, m, z=4)


# ---------------------------------------------------------------- the lab on the BERT page (AppTest)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lab_renders_in_both_languages(lang):
    from labsc_apptest import open_lab, text

    at = open_lab("independence", lang)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 4  # joint vs product, piece grid, word grid, split bars
    assert not at.warning
    assert any(m.label == text("lab_independence.m_kl", lang) for m in at.metric)
    at = open_lab("independence", lang, bert_independence_text="😀🎉", bert_independence_tie="0.0")
    assert not at.exception and any(m.value == text("lab_independence.err_text", lang) for m in at.warning)
    assert any(m.value == text("lab_independence.takeaway_indep", lang) for m in at.success)


def test_lab_sliders_resample_and_bad_text():
    from labsc_apptest import open_lab, text

    at = open_lab("independence", "en")
    kl = [m.value for m in at.metric if m.label == text("lab_independence.m_kl", "en")][0]
    at.slider(key="bert_independence_tie").set_value(0.5).run()
    kl_half = [m.value for m in at.metric if m.label == text("lab_independence.m_kl", "en")][0]
    assert float(kl_half.split()[0]) < float(kl.split()[0])
    at.button(key="bert_independence_resample").click().run()
    assert not at.exception and at.session_state["bert_independence_draw"] == 1
    for bad in ["", "x" * 500, "a b c"]:
        at.text_input(key="bert_independence_text").set_value(bad).run()
        assert not at.exception, (bad[:10], [e.value for e in at.exception])
    assert any(m.value == text("lab_independence.no_multi", "en") for m in at.info)
