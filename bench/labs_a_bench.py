"""BERT labs A (mlm_causal, leak, xor): how fast each lab's default run shows its point on this machine.

Each lab trains through the same generator the page runs (one torch thread, the panel's 30 s cap):
- leak: seconds until the unmasked bidirectional model's held-out loss is below half the entropy rate H, and the
  final losses of the three models against H and the true chain's own held-out loss;
- xor: seconds until the BERT-style encoder passes 95% held-out accuracy; ELMo-style (linear top) at the end;
- mlm_causal: seconds until the causal LM's held-out next-piece accuracy is twice the unigram baseline (toy_en and
  news_en, the BERT page's corpora and vocabulary), and its accuracy at the cap.
Writes bench/results/labs_a.md.

    .venv/bin/python bench/labs_a_bench.py [seeds]
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.bert.causal_lm import CausalLM, CausalLMConfig, build_lm_data, train_causal_lm  # noqa: E402
from engine.bert.wordpiece import train_wordpiece  # noqa: E402
from engine.core.corpus import load_documents  # noqa: E402
from engine.core.train import run  # noqa: E402
from engine.labs import leak as lk  # noqa: E402
from engine.labs import xor as xo  # noqa: E402

CAP = 30.0


def timed(gen):
    """Attach the wall-clock second (since the first step began) to every Progress."""
    t0 = time.perf_counter()
    for p in gen:
        p.metrics["_s"] = time.perf_counter() - t0
        yield p


def first(history, test):
    return next((h for h in history if test(h.metrics)), None)


def fmt_s(h):
    return f"{h.metrics['_s']:.1f} s (step {h.step})" if h is not None else "not within the cap"


def main(seeds: int = 2) -> None:
    torch.set_num_threads(1)
    load = os.getloadavg()[0]
    lines = [
        "# BERT labs A: mlm_causal, leak, xor",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; load "
        f"average at start {load:.1f} (2 cores shared by several engineers); one torch thread; {CAP:.0f} s cap "
        "as in the training panel.",
        "",
        "## leak (bert-10): default LeakConfig, three models round-robin",
        "",
        "| seed | H | (a) below H/2 after | steps done | (a) final | (b) causal final | true P on the same "
        "tokens | (c) MLM final | masked-token floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for seed in range(seeds):
        cfg = lk.LeakConfig(seed=seed)
        p = lk.transition_matrix(cfg.n_states, cfg.concentration, cfg.seed)
        h = lk.entropy_rate(p)
        hist = run(timed(lk.train_leak(lk.make_models(cfg), p, cfg)), max_seconds=CAP).history
        ev = [x for x in hist if "eval_leak" in x.metrics]
        m = ev[-1].metrics
        lines.append(
            f"| {seed} | {h:.3f} | {fmt_s(first(ev, lambda d: d['eval_leak'] < h / 2))} | {hist[-1].step} | "  # noqa: B023
            f"{m['eval_leak']:.3f} | {m['eval_causal']:.3f} | {m['oracle_next']:.3f} | {m['eval_mlm']:.3f} | "
            f"{lk.both_sides_entropy(p):.3f} |"
        )
    lines += [
        "",
        "## xor (bert-07-1): default XorConfig (length 8, linear classifier on both)",
        "",
        "| seed | params ELMo / BERT | BERT-style > 95% after | steps done | BERT-style final | ELMo-style final |",
        "|---|---|---|---|---|---|",
    ]
    for seed in range(seeds):
        cfg = xo.XorConfig(seed=seed)
        models = xo.make_models(cfg)
        sizes = "/".join(f"{sum(q.numel() for q in m.parameters()):,}" for m in models.values())
        hist = run(timed(xo.train_xor(models, cfg)), max_seconds=CAP).history
        ev = [x for x in hist if "acc_bert" in x.metrics]
        lines.append(
            f"| {seed} | {sizes} | {fmt_s(first(ev, lambda d: d['acc_bert'] > 0.95))} | {hist[-1].step} | "
            f"{ev[-1].metrics['acc_bert']:.3f} | {ev[-1].metrics['acc_elmo']:.3f} |"
        )
    lines += [
        "",
        "## mlm_causal (bert-06-1, 07-3, 08): causal LM on the tiny BERT's WordPiece vocabulary (2,000)",
        "",
        "| corpus | data prep | unigram acc | 2x unigram after | steps done | ms/step | accuracy at the cap |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, max_docs in (("toy_en", None), ("news_en", 1000)):
        t0 = time.perf_counter()
        docs = load_documents(name, max_docs)
        tok = train_wordpiece([s for d in docs for s in d], 2000)
        data = build_lm_data(docs, tok, 32)
        prep = time.perf_counter() - t0
        base = data.unigram_accuracy
        res = run(timed(train_causal_lm(CausalLM(CausalLMConfig(), tok), data)), max_seconds=CAP)
        ev = [x for x in res.history if "acc" in x.metrics]
        lines.append(
            f"| {name} | {prep:.1f} s | {base:.3f} | {fmt_s(first(ev, lambda d: d['acc'] > 2 * base))} | "  # noqa: B023
            f"{res.history[-1].step} | {1000 * res.seconds / len(res.history):.0f} | {ev[-1].metrics['acc']:.3f} |"
        )
    out = ROOT / "bench" / "results" / "labs_a.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
