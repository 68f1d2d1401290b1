"""BERT labs C (cbow_vs_mlm, independence, dropout): how long each lab's default demo takes, and what the dropout
lab's live run shows over several seeds (the honest answer to "does dropout help a shared-layer model here?").

One torch thread, as in the training panel; the dropout run uses the lab's defaults (DropoutLabConfig()) and the
panel's 30 s cap. Writes bench/results/labs_c.md.

    .venv/bin/python bench/labs_c_bench.py [seeds]
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.bert.wwm_pieces import mask_pieces, split_share, word_pieces  # noqa: E402
from engine.core.train import run  # noqa: E402
from engine.labs import dropout as ad  # noqa: E402
from engine.labs.cbow_vs_mlm import bert_target_counts, cbow_rows  # noqa: E402
from engine.pretrained import polysemy  # noqa: E402
from engine.pretrained.minilm import load_minilm_tokenizer  # noqa: E402

WORDS = "the quick brown fox jumps over the lazy dog near the river bank".split()


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main(seeds: int = 3) -> None:
    torch.set_num_threads(1)
    load = os.getloadavg()[0]
    rows = []
    _, s = _timed(lambda: (cbow_rows(WORDS, 2), bert_target_counts(len(WORDS), 2000, 0.15, 0)))
    rows.append(("cbow_vs_mlm: CBOW rows + 2,000 maskings of 13 words", s))
    enc, s = _timed(polysemy.load_minilm)
    rows.append(("cbow_vs_mlm: load MiniLM (once per server, shared with other pages)", s))
    _, s = _timed(
        lambda: [
            polysemy.word_vectors(enc, x, "bank")
            for x in ("I sat on the bank of the river", "I opened an account at the bank")
        ]
    )
    rows.append(("cbow_vs_mlm: static + contextual vectors of one word in two sentences", s))
    tok = load_minilm_tokenizer()
    words = word_pieces("pretraining learns probabilistic embeddings for tokenization", tok)
    _, s = _timed(
        lambda: [
            split_share(
                **{k: v for k, v in mask_pieces(words, 1000, 0.15, whole_word=w).items() if k in ("chosen", "word_of")}
            )
            for w in (False, True)
        ]
    )
    rows.append(("independence: 2 x 1,000 maskings (piece, whole word) + split shares", s))

    runs = []
    for seed in range(seeds):
        cfg = ad.DropoutLabConfig(seed=seed)
        models = [ad.AlbertClassifier(cfg, p) for p in cfg.dropouts]
        res = run(ad.train_pair(models, ad.make_task(cfg), cfg), max_seconds=30)
        ev = [h for h in res.history if "val_acc_0" in h.metrics][-3:]
        m = {
            k: float(np.mean([h.metrics[k] for h in ev]))
            for k in ("train_acc_0", "val_acc_0", "train_acc_1", "val_acc_1")
        }
        runs.append((seed, res.history[-1].step, cfg.steps, res.seconds, m))

    lines = [
        "# BERT labs C: cbow_vs_mlm, independence, dropout",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average at start {load:.1f} (2 cores shared by several engineers); one torch thread.",
        "",
        "## Cost of each default demo",
        "",
        "| step | seconds |",
        "|---|---|",
    ]
    lines += [f"| {name} | {sec:.2f} |" for name, sec in rows]
    lines += [
        "",
        "## Dropout lab: twin tiny shared-layer ALBERTs, dropout 0 vs 0.1 (defaults, 30 s cap)",
        "",
        "Accuracies are the mean of the last three evaluations; training accuracy is on the noisy labels "
        "(20% flipped), validation on 500 clean sequences.",
        "",
        "| seed | steps done | seconds | train acc p=0 | val acc p=0 | train acc p=0.1 | val acc p=0.1 | "
        "val gain from dropout |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for seed, done, total, sec, m in runs:
        lines.append(
            f"| {seed} | {done}/{total} | {sec:.1f} | {m['train_acc_0']:.3f} | {m['val_acc_0']:.3f} | "
            f"{m['train_acc_1']:.3f} | {m['val_acc_1']:.3f} | {m['val_acc_1'] - m['val_acc_0']:+.3f} |"
        )
    gains = [m["val_acc_1"] - m["val_acc_0"] for *_, m in runs]
    lines += [
        "",
        f"Mean validation gain from dropout over {seeds} seeds: {np.mean(gains):+.3f} "
        f"(min {min(gains):+.3f}, max {max(gains):+.3f}).",
    ]
    out = ROOT / "bench" / "results" / "labs_c.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
