"""Pre-training objectives as who-may-see-whom: visibility masks and (input -> target) examples.

A mask is a bool matrix M (T, T): M[i, j] = True when position i may use token j to build its output
(query i attends to key j). The same short sentence goes through every objective, so the matrices compare:

    LM (GPT)          M = tril                     log p(x) = sum_t log p(x_t | x_<t)
    MLM (BERT)        M = all ones; 15% of inputs corrupted, only those are predicted
    PLM (XLNet)       M = P^T tril P for a factorisation order z (P[t, z_t] = 1); positions keep their place
    UniLM             bidirectional | left-to-right | seq2seq (source sees source, target sees source + its left)
    RTD (ELECTRA)     M = all ones; the label of each token is "was it replaced?"
    NSP / SOP         sentence pairs: 50% random second sentence / 50% swapped order

Brute-force oracles live here too: the chain rule in any order gives the same joint, while the product of
MLM conditionals p(x_t | x_-t) does not (BERT's independence assumption).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch

from engine.core.seeding import generator, seeded

MASK, CLS, SEP = "[MASK]", "[CLS]", "[SEP]"
OBJECTIVES = ("lm", "mlm", "plm", "unilm_bi", "unilm_l2r", "unilm_s2s", "rtd", "elmo", "nsp", "sop")


@dataclass(frozen=True)
class ObjectiveConfig:
    mask_prob: float = 0.15  # BERT: 15% of the tokens are chosen ...
    replace_mask: float = 0.8  # ... of those 80% -> [MASK]
    replace_random: float = 0.1  # 10% -> a random token, the rest (10%) unchanged
    source_len: int = 3  # UniLM seq2seq / prefix LM: the first tokens form the source segment
    seed: int = 0


# ---------------------------------------------------------------- masks
def causal_mask(n: int) -> np.ndarray:
    return np.tril(np.ones((n, n), dtype=bool))


def full_mask(n: int) -> np.ndarray:
    return np.ones((n, n), dtype=bool)


def permutation_matrix(order: np.ndarray) -> np.ndarray:
    """P[t, z_t] = 1: row t of P picks the token predicted at step t of the factorisation order."""
    n = len(order)
    p = np.zeros((n, n), dtype=int)
    p[np.arange(n), order] = 1
    return p


def permutation_mask(order: np.ndarray, *, query_stream: bool = False) -> np.ndarray:
    """XLNet: token z_t may use z_<t (query stream) or z_<=t (content stream); positions are NOT permuted."""
    n = len(order)
    p = permutation_matrix(np.asarray(order))
    tril = np.tril(np.ones((n, n), dtype=int), k=-1 if query_stream else 0)
    return (p.T @ tril @ p).astype(bool)


def seq2seq_mask(n: int, source_len: int) -> np.ndarray:
    """UniLM seq2seq / prefix LM: the source is bidirectional, the target sees the source and its own left."""
    s = min(max(source_len, 0), n)
    m = causal_mask(n)
    m[:, :s] = True
    m[:s, s:] = False
    return m


def elmo_masks(n: int) -> tuple[np.ndarray, np.ndarray]:
    """ELMo: a forward LM (j <= i) and a backward LM (j >= i), concatenated only at the top."""
    return causal_mask(n), np.triu(np.ones((n, n), dtype=bool))


def visibility(objective: str, n: int, *, order: np.ndarray | None = None, source_len: int = 3) -> np.ndarray:
    if objective in ("lm", "unilm_l2r"):
        return causal_mask(n)
    if objective == "plm":
        return permutation_mask(np.arange(n) if order is None else order)
    if objective == "unilm_s2s":
        return seq2seq_mask(n, source_len)
    if objective == "elmo":
        fwd, bwd = elmo_masks(n)
        return fwd | bwd  # what the concatenated top layer has seen (never both sides within one layer)
    if objective in ("mlm", "unilm_bi", "rtd", "nsp", "sop"):
        return full_mask(n)
    raise ValueError(f"unknown objective {objective!r}")


# ---------------------------------------------------------------- corrupted inputs and targets
def mask_tokens(
    tokens: list[str], vocab: list[str], cfg: ObjectiveConfig, rng: np.random.Generator
) -> tuple[list[str], list[str | None]]:
    """BERT's 15% with 80/10/10 (Bernoulli per token, as HF's DataCollatorForLanguageModeling)."""
    inp, target = list(tokens), [None] * len(tokens)
    for i, tok in enumerate(tokens):
        if tok in (CLS, SEP) or rng.random() >= cfg.mask_prob:
            continue
        target[i] = tok
        u = rng.random()
        if u < cfg.replace_mask:
            inp[i] = MASK
        elif u < cfg.replace_mask + cfg.replace_random:
            inp[i] = vocab[int(rng.integers(len(vocab)))]
    return inp, target


def replaced_token_detection(
    tokens: list[str], vocab: list[str], cfg: ObjectiveConfig, rng: np.random.Generator
) -> tuple[list[str], list[int]]:
    """ELECTRA: a generator fills masked slots (here: a random vocabulary word); label 1 where input != original.

    A sampled word that happens to equal the original counts as *original* (label 0), exactly as in ELECTRA.
    """
    inp = list(tokens)
    for i, tok in enumerate(tokens):
        if tok not in (CLS, SEP) and rng.random() < cfg.mask_prob:
            inp[i] = vocab[int(rng.integers(len(vocab)))]
    return inp, [int(a != b) for a, b in zip(inp, tokens)]


def lm_pairs(tokens: list[str]) -> list[tuple[list[str], str]]:
    """LM: (x_<t, x_t) for every t."""
    return [(tokens[:t], tokens[t]) for t in range(len(tokens))]


def plm_pairs(tokens: list[str], order: np.ndarray) -> list[tuple[list[str], str]]:
    """PLM: (visible tokens x_{z<t} in their own positions, x_{z_t})."""
    return [([tokens[j] for j in sorted(order[:t])], tokens[order[t]]) for t in range(len(tokens))]


def nsp_pairs(sentences: list[str], n_pairs: int, rng: np.random.Generator) -> list[tuple[str, str, int]]:
    """NSP: (A, B, 1) with B the true next sentence half the time, else (A, random sentence, 0).

    As in BERT the random sentence may, rarely, be the true next one; its label still says NotNext.
    """
    if len(sentences) < 2:
        raise ValueError("NSP needs at least two sentences")
    out = []
    for _ in range(n_pairs):
        i = int(rng.integers(len(sentences) - 1))
        if rng.random() < 0.5:
            out.append((sentences[i], sentences[i + 1], 1))
        else:
            out.append((sentences[i], sentences[int(rng.integers(len(sentences)))], 0))
    return out


def sop_pairs(sentences: list[str], n_pairs: int, rng: np.random.Generator) -> list[tuple[str, str, int]]:
    """SOP (ALBERT): a consecutive pair in order is positive; the same pair swapped is the negative."""
    if len(sentences) < 2:
        raise ValueError("SOP needs at least two sentences")
    out = []
    for _ in range(n_pairs):
        i = int(rng.integers(len(sentences) - 1))
        a, b = sentences[i], sentences[i + 1]
        out.append((a, b, 1) if rng.random() < 0.5 else (b, a, 0))
    return out


def contrastive_loss(s_pos: float, s_neg: np.ndarray | list[float]) -> float:
    """-log e^{s+} / (e^{s+} + sum e^{s-}): a positive pair must score above the negatives (InfoNCE form)."""
    s = np.concatenate([[s_pos], np.asarray(s_neg, dtype=float)])
    m = s.max()
    return float(-(s_pos - m) + np.log(np.exp(s - m).sum()))


# ---------------------------------------------------------------- brute-force joint oracles
def chain_rule_joint(joint: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
    """Rebuild p(x_1..x_n) as prod_t p(x_{z_t} | x_{z<t}) for a factorisation order z (every order is exact)."""
    n = joint.ndim
    out = np.ones_like(joint)
    for x in itertools.product(*[range(k) for k in joint.shape]):
        p = 1.0
        for t, pos in enumerate(order):
            seen = order[:t]
            # p(x_pos | x_seen) = p(x_seen, x_pos) / p(x_seen), both marginals of the joint
            keep_num = set(seen) | {pos}
            num = joint.sum(axis=tuple(a for a in range(n) if a not in keep_num))
            den = joint.sum(axis=tuple(a for a in range(n) if a not in set(seen)))
            num_idx = tuple(x[a] for a in sorted(keep_num))
            den_idx = tuple(x[a] for a in sorted(seen))
            p *= num[num_idx] / (den[den_idx] if seen else den)
        out[x] = p
    return out


def mlm_product(joint: np.ndarray) -> np.ndarray:
    """prod_t p(x_t | x_-t): what predicting every masked token independently assumes (unnormalised)."""
    out = np.ones_like(joint)
    for t in range(joint.ndim):
        out = out * joint / joint.sum(axis=t, keepdims=True)
    return out


# ---------------------------------------------------------------- receptive field of encoders (ptm-03)
def dependency_mask(encoder: str, n: int, depth: int = 1, kernel: int = 3, seed: int = 0) -> np.ndarray:
    """D[i, j] = (d y_i / d x_j != 0), measured with autograd on a random-init encoder of `depth` layers."""
    g = generator(seed)
    d = 4
    layers = []
    if encoder == "cnn":
        for _ in range(depth):
            with seeded(seed):  # the layer's own init, never the global RNG (overwritten just below)
                conv = torch.nn.Conv1d(d, d, kernel, padding=kernel // 2)
            with torch.no_grad():
                for p in conv.parameters():
                    p.copy_(torch.randn(p.shape, generator=g))
            layers.append(conv)
    elif encoder in ("rnn", "transformer", "mlp"):
        pass
    else:
        raise ValueError(f"unknown encoder {encoder!r}")
    x = torch.randn(1, n, d, generator=g, dtype=torch.float64, requires_grad=True)
    if encoder == "cnn":
        h = x.transpose(1, 2)  # (1, d, n)
        for conv in layers:
            h = torch.tanh(conv.double()(h))
        y = h.transpose(1, 2)
    elif encoder == "rnn":
        with seeded(seed):  # the layer's own init, never the global RNG (overwritten just below)
            rnn = torch.nn.RNN(d, d, num_layers=depth, batch_first=True).double()
        with torch.no_grad():
            for p in rnn.parameters():
                p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
        y, _ = rnn(x)
    elif encoder == "mlp":
        w = torch.randn(d, d, generator=g, dtype=torch.float64)
        y = x
        for _ in range(depth):
            y = torch.tanh(y @ w)  # position-wise: token i never sees token j
    else:
        with seeded(seed):  # PyTorch's default init, drawn from the seed
            att = torch.nn.MultiheadAttention(d, 1, batch_first=True).double()
        y = x
        for _ in range(depth):
            y = att(y, y, y, need_weights=False)[0] + y
    dep = np.zeros((n, n), dtype=bool)
    for i in range(n):
        (grad,) = torch.autograd.grad(y[0, i].sum(), x, retain_graph=True)
        dep[i] = grad[0].abs().sum(-1).numpy() > 0
    return dep


def dependency_closed_form(encoder: str, n: int, depth: int = 1, kernel: int = 3) -> np.ndarray:
    i, j = np.indices((n, n))
    if encoder == "cnn":
        return np.abs(i - j) <= depth * (kernel - 1) // 2
    if encoder == "rnn":
        return j <= i
    if encoder == "mlp":
        return i == j
    return np.ones((n, n), dtype=bool)


# ---------------------------------------------------------------- the cost of length (ptm-07)
def attention_memory_bytes(n, heads: int, layers: int, batch: int, bytes_per_number: int):
    """Memory of the attention score matrices alone: one (n x n) matrix per head, layer and sequence."""
    return np.asarray(n, dtype=float) ** 2 * heads * layers * batch * bytes_per_number
