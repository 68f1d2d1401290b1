"""tf-08 benchmark: the Transformer page's "seq2seq vs attention by length" run with the page's defaults.

    python bench/seq2seq_length_bench.py                 # max length 30 (the page default); writes the results file
    python bench/seq2seq_length_bench.py --max-len 60    # the slider's end

One thread, as in the app, 60 s cap like the panel: steps done, ms per step (evaluations included), wall and CPU
time, and the held-out token accuracy of each model at each evaluated length at the end (64 strings per length).
CPU time is reported next to wall time because the machine is shared. Writes bench/results/seq2seq_length.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.transformer.seq2seq import MODEL_NAMES, LengthConfig, LengthModels, latest_curves, train_length_models  # noqa
from engine.core.train import run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-len", type=int, default=30)
    ap.add_argument("--steps", type=int, default=800)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    cfg = LengthConfig(max_len=args.max_len, steps=args.steps)
    models = LengthModels(cfg)
    wall, cpu = time.perf_counter(), time.process_time()
    res = run(train_length_models(models), max_seconds=args.seconds)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    lengths, curves = latest_curves(res.history)
    n = len(res.history)
    lines = [
        f"\n## max length {cfg.max_len}, {cfg.steps} steps planned, cap {args.seconds:.0f} s "
        f"({time.strftime('%Y-%m-%d %H:%M')}, {platform.processor() or platform.machine()}, 1 thread)\n",
        f"- {n} steps ({res.status}) in {wall:.1f} s wall / {cpu:.1f} s CPU: {1000 * wall / n:.0f} ms per step",
        f"- parameters: {models.param_counts()}\n",
        "| model | " + " | ".join(f"L={x}" for x in lengths) + " |",
        "|---|" + "---|" * len(lengths),
    ]
    lines += [f"| {m} | " + " | ".join(f"{v:.0%}" for v in curves[m]) + " |" for m in MODEL_NAMES]
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "bench" / "results" / "seq2seq_length.md"  # the newest run only: earlier ones are in git
    title = "# tf-08: token accuracy by length after a live-sized run (bench/seq2seq_length_bench.py)\n"
    out.write_text(title + text, encoding="utf-8")


if __name__ == "__main__":
    main()
