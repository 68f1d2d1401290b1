"""Lab `xor` (bert-07-1): ELMo-style concatenation vs a BERT-style encoder on XOR(left neighbour, right neighbour).

Oracles: autograd dependency masks of the real models (ELMo forward half == lower triangle, backward half ==
upper triangle, BERT's first layer == all ones); labels against a brute-force loop; and the task itself: with the
same linear classifier and parameter budget the encoder reaches high accuracy while the concatenation stays at
chance (an additive function of the two halves cannot compute XOR)."""

from __future__ import annotations

import pytest
import torch

from engine.core.train import run
from engine.labs.xor import XorConfig, XorInputError, dependency_masks, make_models, train_xor, xor_batch
from engine.transformer.tiny_encoder import n_params

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_labels_are_xor_of_both_neighbours():
    x, y = xor_batch(50, 9, torch.Generator().manual_seed(0))
    for b in range(50):
        assert y[b, 0] == -100 and y[b, -1] == -100
        for i in range(1, 8):
            assert int(y[b, i]) == (int(x[b, i - 1]) + int(x[b, i + 1])) % 2


def test_dependency_masks_of_the_real_models():
    models = make_models(XorConfig(seq_len=7))
    d = dependency_masks(models, 7)
    tril = torch.ones(7, 7, dtype=torch.bool).tril()
    assert torch.equal(d["elmo_fwd"], tril)
    assert torch.equal(d["elmo_bwd"], tril.T)
    assert d["bert_layer1"].all() and d["bert_out"].all()


def test_same_parameter_budget():
    models = make_models(XorConfig())
    a, b = n_params(models["elmo"]), n_params(models["bert"])
    assert abs(a - b) / b < 0.1


def test_encoder_solves_xor_and_linear_concatenation_cannot():
    cfg = XorConfig(steps=200, eval_every=50)
    last = run(train_xor(make_models(cfg), cfg)).history[-1].metrics
    assert last["acc_bert"] > 0.95, last
    assert last["acc_elmo"] < 0.6, last


def test_bad_settings_are_coded_errors():
    with pytest.raises(XorInputError):
        make_models(XorConfig(elmo_head="cnn"))
    with pytest.raises(XorInputError):
        make_models(XorConfig(seq_len=1000))


# ---------------------------------------------------------------- the lab on the BERT page (AppTest)
def open_lab(lang: str, **params):
    """The BERT page (toy corpus) with this lab open, entered through its link (conftest.open_lab)."""
    import conftest

    return conftest.open_lab("xor", lang, **params)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lab_renders_and_rejects_a_bad_length(lang):
    from ui.i18n import strings

    at = open_lab(lang)
    assert not at.exception, [e.value for e in at.exception]
    assert [c.key for c in at.get("plotly_chart")] == ["lab_xor_dep"] and not at.warning
    at = open_lab(lang, bert_xor_len="0")
    assert not at.exception and [w.value for w in at.warning] == [strings(lang)["lab_xor.err_len"]]


def test_short_training_draws_accuracy_curves():
    from conftest import wait_for_job

    at = open_lab("en", bert_xor_steps="100")
    at.button(key="lab_xor:train").click().run()
    job = wait_for_job(at.session_state["job:lab_xor"], timeout=60)
    at.run()
    assert job.usable and not at.exception, (job.status, job.error, [e.value for e in at.exception])
    assert "lab_xor_acc" in {c.key for c in at.get("plotly_chart")}
    assert len(at.metric) == 2 and at.success
    at.number_input(key="bert_xor_len").set_value(1000).run()
    assert not at.exception and at.warning and at.session_state["job:lab_xor"] is job


def test_mlp_top_run_gives_an_honest_message():
    from conftest import wait_for_job

    at = open_lab("en", bert_xor_steps="100")
    at.radio(key="bert_xor_head").set_value(1).run()
    at.button(key="lab_xor:train").click().run()
    job = wait_for_job(at.session_state["job:lab_xor"], timeout=60)
    at.run()
    assert job.usable and not at.exception, (job.status, job.error, [e.value for e in at.exception])
    assert job.model.cfg.elmo_head == "mlp"
    assert "MLP" in at.get("plotly_chart")[-1].proto.spec and (at.success or at.info)
