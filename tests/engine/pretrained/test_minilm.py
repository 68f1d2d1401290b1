"""MiniLM (engine/pretrained/minilm.py) offline, against sentence-transformers for its mean-pooled embedding, and our AUC
against `sklearn.metrics.roc_auc_score`."""

import os

import numpy as np
import pytest
from conftest import ROOT
from sklearn.metrics import roc_auc_score

from engine.pretrained.minilm import (
    auc,
    cosine_pairs,
    embed,
    load_minilm,
    load_pairs,
    minilm_attentions,
    threshold_accuracy,
)


@pytest.fixture(scope="module")
def minilm():
    os.environ["HF_HUB_OFFLINE"] = "1"
    return load_minilm()


def test_loads_offline_and_returns_attentions(minilm):
    tok, model = minilm
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    tokens, att = minilm_attentions(tok, model, "the dog is hairy", "it sleeps")
    assert tokens[0] == "[CLS]" and tokens.count("[SEP]") == 2
    assert att.shape == (6, 12, len(tokens), len(tokens))  # per layer (1, 12, T, T) without the batch axis
    assert np.allclose(att.sum(-1), 1.0, atol=1e-4)


def test_mean_pooling_is_the_sentence_transformers_embedding(minilm):
    from sentence_transformers import SentenceTransformer

    from engine.pretrained.minilm import model_dir

    tok, model = minilm
    texts = ["a man is playing a guitar", "the cat sleeps on the sofa", "prices went up again"]
    ref = SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True).encode(texts)
    ours = embed(tok, model, texts, "mean")
    ours = ours / np.linalg.norm(ours, axis=1, keepdims=True)  # the package's last module normalises
    assert np.allclose(ours, ref, atol=1e-4)
    cls, static = embed(tok, model, texts, "cls"), embed(tok, model, texts, "static")
    assert cls.shape == static.shape == (3, 384) and not np.allclose(cls, ours)


def test_auc_matches_sklearn_and_ignores_shifts():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    s = rng.normal(size=200) + y * 0.8
    s[:20] = s[20:40]  # ties count half, as in sklearn
    assert auc(s, y) == pytest.approx(roc_auc_score(y, s))
    assert auc(s - 0.4, y) == pytest.approx(auc(s, y))
    assert threshold_accuracy(s, y, 0.5) != threshold_accuracy(s - 0.4, y, 0.5)
    with pytest.raises(ValueError):
        auc(s, np.ones(200))


def test_labelled_pairs_rank_better_with_mean_pooling(minilm):
    tok, model = minilm
    a, b, y = load_pairs(ROOT / "assets/corpora/similarity_pairs_en.tsv")
    assert len(y) >= 40 and 0.4 < y.mean() < 0.6
    scores = {p: cosine_pairs(embed(tok, model, a, p), embed(tok, model, b, p)) for p in ("cls", "mean", "static")}
    aucs = {p: auc(s, y) for p, s in scores.items()}
    assert aucs["mean"] > aucs["cls"] and aucs["mean"] > aucs["static"]
    assert scores["cls"][y == 0].mean() > 0.5  # raw cosines are large even for unrelated pairs
