"""Lab `leak` (bert-10): label leakage of an unmasked bidirectional next-token LM on a Markov chain.

Oracles: the closed-form entropy rate against brute-force enumeration of every sequence and a Monte-Carlo
estimate; the closed-form two-sided conditional entropy against enumeration of triples; after a short run the
leaking encoder's held-out loss is far below the entropy rate (impossible without seeing the answer), the causal
LM's is not below it, and the causal model's attention above the diagonal is exactly zero."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from engine.core.train import run
from engine.labs.leak import (
    LeakConfig,
    attention_map,
    both_sides_entropy,
    brute_force_rate,
    entropy_rate,
    make_models,
    monte_carlo_rate,
    next_token_share,
    sample_chains,
    stationary,
    train_leak,
    transition_matrix,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_entropy_rate_matches_brute_force_and_monte_carlo():
    p = transition_matrix(4, 0.5, seed=3)
    h = entropy_rate(p)
    assert 0.05 < h < math.log(4)
    assert abs(brute_force_rate(p, 4) - h) < 1e-9
    assert abs(monte_carlo_rate(p, 100_000, seed=1) - h) < 0.02
    pi = stationary(p)
    assert np.allclose(pi @ p, pi) and abs(pi.sum() - 1) < 1e-12


def test_two_sided_entropy_matches_enumeration():
    p = transition_matrix(3, 0.7, seed=1)
    pi = stationary(p)
    joint = {(a, b, c): pi[a] * p[a, b] * p[b, c] for a, b, c in itertools.product(range(3), repeat=3)}
    h = 0.0
    for (a, b, c), q in joint.items():  # noqa: B007
        h -= q * math.log(q / sum(joint[(a, x, c)] for x in range(3)))
    assert abs(both_sides_entropy(p) - h) < 1e-9
    assert both_sides_entropy(p) < entropy_rate(p)  # seeing both sides helps (honestly)


def test_sampled_chain_follows_the_transition_matrix():
    p = transition_matrix(3, 1.0, seed=2)
    x = sample_chains(p, 2000, 20, torch.Generator().manual_seed(0)).numpy()
    counts = np.zeros((3, 3))
    np.add.at(counts, (x[:, :-1].ravel(), x[:, 1:].ravel()), 1)
    assert np.abs(counts / counts.sum(1, keepdims=True) - p).max() < 0.03


def test_leaking_encoder_beats_the_entropy_rate_and_the_causal_lm_cannot():
    cfg = LeakConfig(steps=120, seq_len=12, batch_size=32, eval_every=20)
    p = transition_matrix(cfg.n_states, cfg.concentration, cfg.seed)
    h = entropy_rate(p)
    models = make_models(cfg)
    last = run(train_leak(models, p, cfg)).history[-1].metrics
    assert last["eval_leak"] < 0.3 * h, last  # far below the best any honest predictor can do
    assert last["eval_causal"] >= h - 0.08, last  # held-out sample noise ~0.02 nats
    assert last["eval_causal"] >= last["oracle_next"] - 0.03, last  # the true P on the very same tokens
    x = sample_chains(p, 32, cfg.seq_len, torch.Generator().manual_seed(9))
    leak_att, causal_att = attention_map(models["leak"], x), attention_map(models["causal"], x)
    assert max(next_token_share(a) for a in leak_att) > 0.5  # it reads the answer at i + 1
    assert np.all(np.triu(causal_att, k=1) == 0.0)


def test_bad_settings_are_coded_errors():
    from engine.labs.leak import LeakInputError

    with pytest.raises(LeakInputError):
        make_models(LeakConfig(n_states=1))
    with pytest.raises(LeakInputError):
        make_models(LeakConfig(lr=1e9))


# ---------------------------------------------------------------- the lab on the BERT page (AppTest)
def open_lab(lang: str, **params):
    """The BERT page (toy corpus) with this lab open, entered through its link (conftest.open_lab)."""
    import conftest

    return conftest.open_lab("leak", lang, **params)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lab_renders_and_rejects_a_bad_chain(lang):
    from ui.i18n import strings

    at = open_lab(lang)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 1 and not at.warning  # the transition matrix before training
    at = open_lab(lang, bert_leak_states="1")
    assert not at.exception and [w.value for w in at.warning] == [strings(lang)["lab_leak.err_states"]]


def test_short_training_draws_curves_and_attention():
    from conftest import wait_for_job

    at = open_lab("en", bert_leak_steps="100")
    at.button(key="lab_leak:train").click().run()
    job = wait_for_job(at.session_state["job:lab_leak"], timeout=60)
    at.run()
    assert job.usable and not at.exception, (job.status, job.error, [e.value for e in at.exception])
    keys = {c.key for c in at.get("plotly_chart")}
    assert {"lab_leak_curves", "lab_leak_att"} <= keys
    assert any(m.label == "entropy rate H" for m in at.metric)
    at.number_input(key="bert_leak_states").set_value(999).run()  # bad input after training: a message,
    assert not at.exception and at.warning  # and the trained run is kept
    assert at.session_state["job:lab_leak"] is job
