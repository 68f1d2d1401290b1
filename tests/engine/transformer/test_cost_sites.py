"""misc-12, the second count: how often each layer kind is *applied* in one forward pass (engine.transformer.cost).

Oracles: hand counts from the module code (torch.nn.TransformerEncoderLayer, our Seq2SeqTransformer), forward hooks
on modules where every application is a module call, and the curriculum's module numbers (nn.Transformer():
42 Dropout = 42 Linear; BertModel-base: 37 Dropout vs 73 Linear)."""

from __future__ import annotations

from collections import Counter

import pytest
import torch
from torch import nn

from engine.transformer import cost as cx
from engine.transformer.model import Seq2SeqTransformer, TransformerConfig


def test_encoder_layer_by_hand():
    """nn.TransformerEncoderLayer: modules = out_proj, linear1, linear2 | dropout, dropout1, dropout2 | norm1, norm2.
    Applied: Q, K, V, out projections (inside F.multi_head_attention_forward) + linear1, linear2 = 6 Linear;
    attention-probability dropout + the three dropout modules = 4 Dropout; 2 LayerNorm."""
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1).eval()
    assert cx.module_counts(layer) == {"Linear": 3, "Dropout": 3, "LayerNorm": 2, "Embedding": 0}
    sites = cx.application_counts(layer, torch.randn(5, 1, 8))
    assert sites == {"Linear": 6, "Dropout": 4, "LayerNorm": 2, "Embedding": 0}
    assert not layer.training  # the model's mode is restored
    # no dropout on the attention probabilities when its p is 0 (nothing is applied there)
    assert (
        cx.application_counts(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), torch.randn(5, 1, 8))["Dropout"] == 3
    )


def test_a_module_used_twice_counts_twice():
    drop = nn.Dropout(0.5)
    model = nn.Sequential(drop, nn.Linear(3, 3), drop)
    assert cx.module_counts(model)["Dropout"] == 1
    assert cx.application_counts(model, torch.randn(2, 3))["Dropout"] == 2


def test_tiny_model_equals_forward_hooks():
    """Our Seq2SeqTransformer calls every layer as a module, so forward hooks see every application.
    By hand (1+1 layers): Linear 4+2 (enc) + 8+2 (dec) + 1 (generator) = 17; Dropout: embedding dropout twice
    (source, target: one module) + enc 4 + dec 6 = 12 (11 modules); LayerNorm 2 + 3 = 5; Embedding 2."""
    model = Seq2SeqTransformer(TransformerConfig(n_layers=1, dropout=0.1))
    src, tgt = torch.tensor([[3, 4, 5, 6]]), torch.tensor([[1, 3, 4]])
    hooks, seen = [], Counter()
    kinds = {nn.Linear: "Linear", nn.Dropout: "Dropout", nn.LayerNorm: "LayerNorm", nn.Embedding: "Embedding"}
    for m in model.modules():
        for cls, kind in kinds.items():
            if isinstance(m, cls):
                hooks.append(m.register_forward_hook(lambda *_, k=kind: seen.update([k])))
    sites = cx.application_counts(model, src, tgt)
    for h in hooks:
        h.remove()
    assert sites == dict(seen) == {"Linear": 17, "Dropout": 12, "LayerNorm": 5, "Embedding": 2}
    assert cx.module_counts(model) == {"Linear": 17, "Dropout": 11, "LayerNorm": 5, "Embedding": 2}


def test_reference_models_modules_and_sites():
    """Curriculum module numbers, and the sites by hand:
    nn.Transformer (6+6): Linear 6·6 + 6·10 = 96, Dropout 6·4 + 6·6 = 60, LayerNorm 6·2+1 + 6·3+1 = 32.
    BERT-base: Linear 12·6 + pooler = 73, Dropout 1 + 12·3 = 37 (attention dropout via sdpa's dropout_p),
    LayerNorm 1 + 12·2 = 25, Embedding 3 (word, position, token type)."""
    pytest.importorskip("transformers")
    modules = {name: cx.module_counts(m) for name, m in cx.reference_models(True).items()}
    assert modules["nn.Transformer"]["Dropout"] == modules["nn.Transformer"]["Linear"] == 42
    assert modules["BertModel-base"]["Dropout"] == 37 and modules["BertModel-base"]["Linear"] == 73
    sites = cx.reference_sites(True)
    assert sites["nn.Transformer"] == {"Linear": 96, "Dropout": 60, "LayerNorm": 32, "Embedding": 0}
    assert sites["BertModel-base"] == {"Linear": 73, "Dropout": 37, "LayerNorm": 25, "Embedding": 3}
    assert set(cx.reference_sites(False)) == {"nn.Transformer"}
