"""bert-07-2 feature-based vs fine-tuning lab. Oracles: after training, the frozen encoder of the feature mode is
bit-identical to the encoder it was copied from (torch.equal on every tensor) while the fine-tuned one moved;
the scalar-mix weights are a softmax (sum to 1, all > 0); the trainable counts equal the sum of numel of the
requires_grad parameters and the closed forms (features: L + 2 + H*C + C; fine-tune: every encoder weight +
head); exactly the trainable tensors change. The source model is never mutated."""

from __future__ import annotations

import copy

import pytest
import torch

from engine.bert.model import TinyBert, TinyBertConfig
from engine.bert.wordpiece import train_wordpiece
from engine.core.train import run
from engine.labs.feature_finetune import (
    MODES,
    ScalarMix,
    TransferConfig,
    TransferInputError,
    make_models,
    train_both,
    word_order_task,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")
SENTS = [
    f"the {a} {b} saw a {c} near the {d} today"
    for a in ("big", "small", "red", "old")
    for b in ("cat", "dog", "king", "car")
    for c in ("bird", "tree", "house", "boat")
    for d in ("river", "road", "hill")
]
CFG = TransferConfig(n_train=96, n_val=32, max_len=16, steps=6, batch_size=16, eval_every=3)


@pytest.fixture(scope="module")
def setup():
    tok = train_wordpiece(SENTS, 60, min_frequency=1)
    bert = TinyBert(TinyBertConfig(layers=2, hidden=32, heads=2, intermediate=64, max_len=16), tok)
    task = word_order_task(SENTS, tok, CFG)
    source = copy.deepcopy(bert.net.bert.state_dict())
    models = make_models(bert.net.bert, seed=0)
    before = {k: copy.deepcopy(m.state_dict()) for k, m in models.items()}
    res = run(train_both(models, task, CFG))
    return bert, source, models, before, res, task


def test_feature_mode_leaves_the_encoder_bit_identical(setup):
    bert, source, models, before, _, _ = setup
    feat, fine = models["features"], models["finetune"]
    for k, v in feat.encoder.state_dict().items():
        assert torch.equal(v, before["features"][f"encoder.{k}"]), k
    moved = [k for k, v in fine.encoder.state_dict().items() if not torch.equal(v, before["finetune"][f"encoder.{k}"])]
    assert moved, "fine-tuning must change the encoder"
    for k, v in bert.net.bert.state_dict().items():  # the session's pre-trained model is untouched
        assert torch.equal(v, source[k]), k


def test_exactly_the_trainable_tensors_change(setup):
    _, _, models, before, _, _ = setup
    for mode, m in models.items():
        for name, p in m.named_parameters():
            changed = not torch.equal(p.detach(), before[mode][name])
            assert changed == p.requires_grad, (mode, name)


def test_mix_weights_are_a_softmax(setup):
    _, _, models, _, res, _ = setup
    w = models["features"].mix.weights().detach()
    assert float(w.sum()) == pytest.approx(1.0, abs=1e-6) and bool((w > 0).all())
    assert not torch.allclose(w, torch.full_like(w, 1 / len(w)))  # it learned something, not still uniform
    last = res.history[-1].metrics
    assert sum(last[f"mix_{j}"] for j in range(len(w))) == pytest.approx(1.0, abs=1e-6)
    mix = ScalarMix(3)
    h = [torch.full((1, 2, 4), float(j)) for j in range(3)]
    torch.testing.assert_close(mix(h), torch.full((1, 2, 4), 1.0))  # even start: gamma * mean(0, 1, 2)


def test_cached_features_equal_a_fresh_forward(setup):
    _, _, models, _, res, task = setup
    feat = models["features"]
    with torch.no_grad():
        direct = feat(task.ids_val, task.mask_val)[0]
        cached = feat.classify(feat.frozen_layers(task.ids_val, task.mask_val), task.mask_val)[0]
    torch.testing.assert_close(direct, cached)
    acc = float((direct.argmax(-1) == task.y_val).float().mean())
    assert res.history[-1].metrics["acc_features"] == pytest.approx(acc)


def test_trainable_counts(setup):
    bert, _, models, _, _, _ = setup
    H, L, C = 32, 2, 2
    for mode, m in models.items():  # noqa: B007
        assert m.trainable() == sum(p.numel() for p in m.parameters() if p.requires_grad)
        assert m.trainable() == sum(m.trainable_parts().values())
    assert models["features"].trainable() == (L + 1) + 1 + H * C + C
    enc = sum(p.numel() for n, p in bert.net.bert.named_parameters() if not n.startswith("pooler"))
    assert models["finetune"].trainable() == enc + H * C + C
    assert models["features"].trainable() < models["finetune"].trainable() / 100


def test_word_order_task_is_balanced_and_shuffles(setup):
    _, _, _, _, _, task = setup
    assert 0.3 < float(task.y.float().mean()) < 0.7
    real = {tuple(r.tolist()) for r, y in zip(task.ids, task.y) if y == 1}
    fake = {tuple(r.tolist()) for r, y in zip(task.ids, task.y) if y == 0}
    assert not real & fake
    tok = train_wordpiece(SENTS, 60, min_frequency=1)
    for r, m in zip(task.ids, task.mask):  # [CLS] first, [SEP] last: only the words in between are shuffled
        n = int(m.sum())
        assert r[0] == tok.cls_token_id and r[n - 1] == tok.sep_token_id
    with pytest.raises(TransferInputError):
        TransferConfig(lr_finetune=1e9).validate()
    with pytest.raises(TransferInputError):
        word_order_task(["😀"] * 100, train_wordpiece(SENTS, 60, min_frequency=1), CFG)
    assert set(MODES) == {"features", "finetune"}


def test_digest_tracks_every_bit(setup):
    from engine.labs.feature_finetune import encoder_digest

    _, _, models, before, _, _ = setup
    enc = copy.deepcopy(models["features"].encoder)
    d = encoder_digest(enc)
    assert d == encoder_digest(models["features"].encoder)
    with torch.no_grad():
        next(enc.parameters()).view(-1)[0] += 1e-7
    assert encoder_digest(enc) != d


# ---------------------------------------------------------------- the lab on the BERT page (AppTest)
from test_lab_multilabel import open_lab  # noqa: E402 - one helper for the three labs B tests


def _train(at, steps: int, lr: float):
    from conftest import wait_for_job

    at.slider(key="bert_feature_finetune_steps").set_value(steps)
    at.select_slider(key="bert_feature_finetune_lr").set_value(lr)
    at.button(key="lab_feature_finetune:train").click().run()
    job = at.session_state["job:lab_feature_finetune"]
    try:
        wait_for_job(job, timeout=60)
    finally:
        job.stop.set()
        job.wait(10)
    return at.run(), job


def test_lab_page_trains_and_warns_on_an_absurd_rate():
    for lang in ("zh", "en"):  # both languages render; the training and bad input below are driven in en
        at = open_lab("feature_finetune", lang)
        assert not at.exception, [e.value for e in at.exception]
        assert any("fresh" in w.value or "新初始化" in w.value for w in at.warning)
    at, job = _train(at, 20, 5e-4)
    assert job.usable and not at.exception, (job.status, job.error)
    assert len(at.get("plotly_chart")) >= 3  # accuracy curves, trainable bars, mix weights
    assert any("bit-identical" in m.value for m in at.markdown), [m.value for m in at.markdown]
    at, bad = _train(at, 20, 1.0)  # absurd rate: a warning, the run still ends cleanly, nothing raises
    assert not at.exception and bad.usable
    assert any("destroys" in w.value for w in at.warning), [w.value for w in at.warning]
