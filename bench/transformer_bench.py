"""Transformer benchmark: the page's default toy seq2seq run, and self-attention vs LSTM layer timings.

    python bench/transformer_bench.py                  # writes bench/results/transformer.md
    python bench/transformer_bench.py --tasks reverse  # only some toy tasks

1. Toy training with the page's defaults (2 + 2 layers, d_model 64, 4 heads, d_ff 128, batch 64, peak lr 3e-3,
   600 steps, seed 0) on one thread, as in the app: steps, wall time and CPU time until the held-out exact-match
   accuracy (256 unseen sequences, every digit and <eos> right) first reaches 95 %, and the final accuracy.
   CPU time is reported next to wall time because the machine is shared: CPU time is what an idle core would take.
2. One multi-head self-attention layer (ours) vs one torch.nn.LSTM layer, forward pass, batch 1, d = 256,
   n = 16…1024 (best of 5), plus the activation memory autograd keeps for backward.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.transformer import cost as cx  # noqa: E402
from engine.transformer.model import Seq2SeqTransformer, TrainConfig, TransformerConfig, train_seq2seq  # noqa: E402
from engine.transformer.toy_tasks import TASKS, ToyTask  # noqa: E402

TARGET = 0.95


def toy_run(task_name: str) -> dict:
    task = ToyTask(task_name, 3, 8, 0)
    model = Seq2SeqTransformer(TransformerConfig(vocab_size=task.vocab_size))  # the page's defaults
    cfg = TrainConfig()  # 600 steps, batch 64, lr 3e-3, eval every 25
    wall0, cpu0 = time.perf_counter(), time.process_time()
    reached = None
    last_acc = 0.0
    for p in train_seq2seq(model, task, cfg):
        if "acc" in p.metrics:
            last_acc = p.metrics["acc"]
            if reached is None and last_acc >= TARGET:
                reached = (p.step, time.perf_counter() - wall0, time.process_time() - cpu0)
    return {
        "task": task_name,
        "reached": reached,
        "final": last_acc,
        "wall": time.perf_counter() - wall0,
        "cpu": time.process_time() - cpu0,
        "steps": cfg.steps,
    }


def layer_rows(d: int = 256) -> list[dict]:
    rows = []
    for n in (16, 64, 256, 1024):
        m = cx.measure_layers(n, d, repeats=5)
        rows.append({"n": n, **m})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "transformer.md"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    runs = [toy_run(t) for t in args.tasks.split(",")]
    layers = layer_rows()
    par = cx.measure_parallel(64, 64, repeats=5)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## Transformer (bench/transformer_bench.py)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, 1 thread "
        f"(as in the app's training thread); load average {load:.1f} at the end. CPU time = process time "
        "(what an idle core would need); wall time depends on the other users of the machine.",
        "",
        f"### Toy seq2seq with the page's defaults (600 steps, cap 60 s in the app): time to {TARGET:.0%} held-out "
        "exact match",
        "",
        "| task | steps to 95 % | wall / CPU time to 95 % | final accuracy (600 steps) | wall / CPU for 600 steps |",
        "|---|---|---|---|---|",
    ]
    for r in runs:
        if r["reached"]:
            s, w, c = r["reached"]
            hit = f"{s}", f"{w:.1f} s / {c:.1f} s"
        else:
            hit = "not reached", "—"
        lines.append(f"| {r['task']} | {hit[0]} | {hit[1]} | {r['final']:.1%} | {r['wall']:.1f} s / {r['cpu']:.1f} s |")
    lines += [
        "",
        "### One self-attention layer vs one LSTM layer (d = 256, batch 1, forward, best of 5)",
        "",
        "| n | self-attention | LSTM | attention / LSTM | saved for backward: attention | LSTM |",
        "|---|---|---|---|---|---|",
    ]
    for r in layers:
        lines.append(
            f"| {r['n']} | {r['attn_s'] * 1e3:.2f} ms | {r['lstm_s'] * 1e3:.2f} ms | "
            f"{r['attn_s'] / r['lstm_s']:.2f}× | {r['attn_bytes'] / 2**20:.2f} MiB | "
            f"{r['lstm_bytes'] / 2**20:.2f} MiB |"
        )
    lines += [
        "",
        "As the closed forms predict (4·n²·d + 8·n·d² vs 16·n·d²), the attention layer is the faster one while "
        "n ≤ d and falls behind once n grows well past d (here n = 1024 > d = 256), where its n² score matrix "
        "also dominates the activation memory. On parallel hardware attention gains further: it has O(1) "
        "sequential steps, the LSTM n.",
        "",
        "### All n² scores for n = 64, d = 64 (best of 5)",
        "",
        f"Python double loop {par['loop_s'] * 1e3:.1f} ms · one Q·Kᵀ {par['matmul_s'] * 1e3:.3f} ms · "
        f"RNN sweep of 64 dependent steps {par['rnn_s'] * 1e3:.2f} ms.",
        "",
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
