"""misc-13 / bert-07-5 lab (ALBERT v2 has no dropout). Oracles: transformers' AlbertConfig() defaults; counting
nn.Dropout modules in AlbertModel built on the meta device; engine.transformer.param_count's formula == the real
AlbertModel's numel; a forward hook shows the one shared layer runs L times; with equal dropout (0, 0) the two
side-by-side models stay bit-identical (the comparison changes only dropout)."""

from __future__ import annotations

import pytest
import torch

from engine.core.train import run
from engine.labs import dropout as ad
from engine.transformer.param_count import count, layer_params

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_albert_config_defaults_are_v2_without_dropout():
    from transformers import AlbertConfig

    c = AlbertConfig()
    assert c.hidden_dropout_prob == 0 and c.attention_probs_dropout_prob == 0
    s = ad.dropout_settings()
    assert set(s["v2"].values()) == {0.0} and set(s["v1"].values()) == {0.1}


def test_v2_preset_has_no_active_dropout_v1_has():
    active, total = ad.preset_dropouts("v2")
    assert active == 0 and total > 0
    assert ad.preset_dropouts("v1")[0] == total


@pytest.mark.parametrize("shared", [True, False])
def test_parameter_counts_and_sharing(shared):
    cfg = ad.DropoutLabConfig(shared=shared)
    model = ad.AlbertClassifier(cfg, 0.0)
    one = layer_params(cfg.hidden, cfg.intermediate)
    assert model.encoder_params() == (one if shared else cfg.layers * one)
    assert sum(p.numel() for p in model.albert.parameters()) == count(cfg.shape())
    layers = [g.albert_layers[0] for g in model.albert.encoder.albert_layer_groups]
    calls = {id(m): 0 for m in layers}
    hooks = [m.register_forward_hook(lambda m, i, o: calls.__setitem__(id(m), calls[id(m)] + 1)) for m in layers]
    model(torch.zeros(2, cfg.seq_len + 1, dtype=torch.long))
    for h in hooks:
        h.remove()
    assert list(calls.values()) == ([cfg.layers] if shared else [1] * cfg.layers)


def test_equal_dropout_keeps_twins_identical_and_training_runs():
    cfg = ad.DropoutLabConfig(dropouts=(0.0, 0.0), steps=6, eval_every=3)
    twins = [ad.AlbertClassifier(cfg, p) for p in cfg.dropouts]
    hist = run(ad.train_pair(twins, ad.make_task(cfg), cfg)).history
    assert len(hist) == 6 and all(torch.isfinite(torch.tensor(h.loss)) for h in hist)
    assert hist[-1].metrics["loss_0"] == hist[-1].metrics["loss_1"]
    assert all(torch.equal(a, b) for a, b in zip(twins[0].parameters(), twins[1].parameters()))
    cfg = ad.DropoutLabConfig(steps=6, eval_every=3)
    pair = [ad.AlbertClassifier(cfg, p) for p in cfg.dropouts]
    run(ad.train_pair(pair, ad.make_task(cfg), cfg))
    assert not all(torch.equal(a, b) for a, b in zip(pair[0].parameters(), pair[1].parameters()))


def test_task_labels_follow_the_majority_rule_and_noise_rate():
    cfg = ad.DropoutLabConfig(n_train=4000)
    d = ad.make_task(cfg)
    half = (cfg.vocab - 1) // 2
    rule = ((d["x"][:, 1:] <= half).sum(1) * 2 > cfg.seq_len).long()
    assert torch.equal(rule, d["y_clean"])
    assert abs((d["y"] != d["y_clean"]).float().mean().item() - cfg.label_noise) < 0.03
    with pytest.raises(ValueError):
        ad.DropoutLabConfig(dropouts=(0.0, 1.5)).validate()


# ---------------------------------------------------------------- the lab on the BERT page (AppTest)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lab_renders_and_rejects_p_zero(lang):
    from labsc_apptest import open_lab, text

    at = open_lab("dropout", lang)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.dataframe) == 1 and not at.warning
    at = open_lab("dropout", lang, bert_dropout_p="0.0")
    assert not at.exception and any(m.value == text("lab_dropout.err_same", lang) for m in at.warning)
    assert at.button(key="lab_dropout:train").disabled


def test_lab_short_training_draws_curves_and_takeaway():
    from conftest import stop_after
    from labsc_apptest import open_lab

    at = open_lab("dropout", "en")
    at.button(key="lab_dropout:train").click().run()
    job = stop_after(
        at.session_state["job:lab_dropout"],
        2,
        timeout=60,
        until=lambda j: any("val_acc_0" in h.metrics and h.step > 1 for h in j.history),
    )
    at.run()
    assert job.usable and not at.exception, (job.status, job.error, [e.value for e in at.exception])
    assert len(at.get("plotly_chart")) >= 2  # the panel's loss curve and the train/validation curves
    assert len(at.success) == 1
    at.number_input(key="bert_dropout_p").set_value(0.0).run()  # bad input after training: message, model kept
    assert not at.exception and at.warning and at.session_state["job:lab_dropout"] is job
