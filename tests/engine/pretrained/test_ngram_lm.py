"""Perplexity of the n-gram LM. Oracles: hand-computed counts on a tiny corpus, the closed form
PPL(uniform) = |V|, PPL = exp(mean cross-entropy) = p(w_1..w_N)^(-1/N), and normalisation sum_w p(w|h) = 1."""

import math

import numpy as np
import pytest

from engine.pretrained.ngram_lm import EOS, NGramConfig, NGramLM, perplexity_from_probs, running_perplexity

CORPUS = [["a", "b"], ["a", "a", "b"], ["b"]]


def test_bigram_hand_computed():
    """Counts by hand: vocab {a, b, </s>, <unk>} (|V| = 4); history <s>: a 2, b 1 (total 3)."""
    lm = NGramLM(NGramConfig(n=2, k=1.0)).fit(CORPUS)
    assert lm.vocab == ["a", "b", EOS, "<unk>"]
    assert lm.prob("a", ("<s>",)) == pytest.approx((2 + 1) / (3 + 4))
    # history a: a->b twice, a->a once  (3 events)
    assert lm.prob("b", ("a",)) == pytest.approx((2 + 1) / (3 + 4))
    probs = [p for _, p in lm.token_probs(["a", "b"])]
    # p(a|<s>) p(b|a) p(</s>|b): b is followed by </s> 3 times out of 3
    expected = [3 / 7, 3 / 7, (3 + 1) / (3 + 4)]
    assert probs == pytest.approx(expected)
    ppl = lm.perplexity([["a", "b"]])
    assert ppl == pytest.approx(math.prod(expected) ** (-1 / 3))  # product form == log form
    assert ppl == pytest.approx(math.exp(-np.mean(np.log(expected))))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_distribution_sums_to_one(n):
    lm = NGramLM(NGramConfig(n=n, k=0.5)).fit(CORPUS)
    for hist in [(), ("a",), ("<s>", "a"), ("zzz", "b")]:
        assert sum(lm.prob(w, hist) for w in lm.vocab) == pytest.approx(1.0)


def test_uniform_ppl_is_vocab_size():
    """A model that saw nothing informative (huge k) is uniform: PPL -> |V|."""
    lm = NGramLM(NGramConfig(n=2, k=1e9)).fit(CORPUS)
    assert lm.perplexity([["a", "b", "zzz"]]) == pytest.approx(len(lm.vocab), rel=1e-6)
    assert perplexity_from_probs([0.25] * 7) == pytest.approx(4.0)


def test_more_context_lowers_ppl_on_training_text_and_unknowns_map_to_unk():
    text = [["the", "cat", "sat"], ["the", "dog", "sat"], ["the", "cat", "ran"]] * 5
    ppl = [NGramLM(NGramConfig(n=n, k=0.01)).fit(text).perplexity(text) for n in (1, 2, 3)]
    assert ppl[0] > ppl[1] and ppl[0] > ppl[2]
    lm = NGramLM(NGramConfig(n=2)).fit(text)
    assert lm.token_probs(["emu"])[0][0] == "<unk>"


def test_running_perplexity_ends_at_total():
    probs = [0.5, 0.1, 0.9]
    run = running_perplexity(probs)
    assert run[0] == pytest.approx(2.0) and run[-1] == pytest.approx(perplexity_from_probs(probs))


def test_bad_config_and_empty_input():
    with pytest.raises(ValueError):
        NGramLM(NGramConfig(n=0))
    with pytest.raises(ValueError):
        NGramLM(NGramConfig(k=0))
    with pytest.raises(ValueError):
        NGramLM(NGramConfig()).fit([[]])
    with pytest.raises(ValueError):
        NGramLM(NGramConfig()).fit(CORPUS).perplexity([[]])
