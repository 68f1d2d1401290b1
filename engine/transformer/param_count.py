"""Parameter counts of BERT and ALBERT from their shapes, by formula (no model is built).

BERT (Devlin et al. 2019): embeddings V·H + P·H + S·H (token, position, segment) + 2H (LayerNorm); each of the L
encoder layers 4(H² + H) (Q, K, V, output) + 2H·I + I + H (feed-forward) + 4H (two LayerNorms) = 12H² + 13H when
I = 4H; pooler H² + H. BERT-base (V 30522, H 768, L 12): 109,482,240; BERT-large (H 1024, L 24): 335,141,888.

ALBERT (Lan et al. 2020): factorised embeddings V·E + P·E + S·E + 2E, then a projection E·H + H; with cross-layer
sharing the L layers hold one layer's parameters. ALBERT-base (V 30000, E 128, H 768): 11,683,584.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    vocab: int = 30522
    hidden: int = 768
    layers: int = 12
    heads: int = 12
    intermediate: int | None = None  # None: 4H
    max_positions: int = 512
    segments: int = 2
    embedding: int | None = None  # ALBERT's E; None: E = H
    shared: bool = False  # ALBERT's cross-layer sharing

    @property
    def ffn(self) -> int:
        return self.intermediate if self.intermediate is not None else 4 * self.hidden


PRESETS = {
    "bert-base": Shape(),
    "bert-large": Shape(hidden=1024, layers=24, heads=16),
    "albert-base": Shape(vocab=30000, embedding=128, shared=True),
    "albert-large": Shape(vocab=30000, hidden=1024, layers=24, heads=16, embedding=128, shared=True),
    "tiny": Shape(vocab=2000, hidden=128, layers=2, heads=4, max_positions=64),
}


def layer_params(hidden: int, ffn: int) -> int:
    """One encoder layer: attention 4(H²+H), LayerNorm 2H, feed-forward 2·H·I + I + H, LayerNorm 2H."""
    return 4 * (hidden * hidden + hidden) + 2 * hidden + 2 * hidden * ffn + ffn + hidden + 2 * hidden


def bert_parts(s: Shape) -> dict[str, int]:
    """Parameters by part for BertModel (with pooler) or, when s.embedding / s.shared, AlbertModel."""
    if s.vocab < 1 or s.hidden < 1 or s.layers < 1 or s.max_positions < 1:
        raise ValueError("vocabulary, hidden size, layers and positions must be positive")
    e = s.embedding if s.embedding is not None else s.hidden
    parts = {
        "token_embeddings": s.vocab * e,
        "position_embeddings": s.max_positions * e,
        "segment_embeddings": s.segments * e,
        "embedding_layernorm": 2 * e,
    }
    if s.embedding is not None:
        parts["embedding_projection"] = e * s.hidden + s.hidden
    parts["encoder"] = (1 if s.shared else s.layers) * layer_params(s.hidden, s.ffn)
    parts["pooler"] = s.hidden * s.hidden + s.hidden
    return parts


def count(s: Shape) -> int:
    return sum(bert_parts(s).values())


def pretraining_heads(s: Shape) -> int:
    """Extra parameters of BertForPreTraining: MLM transform H² + H + LayerNorm 2H + output bias V (the output
    matrix is tied to the token embeddings), NSP classifier 2H + 2."""
    return s.hidden * s.hidden + s.hidden + 2 * s.hidden + s.vocab + 2 * s.hidden + 2
