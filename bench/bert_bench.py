"""Tiny BERT on the English news corpus: held-out MLM top-1 accuracy after 60 s of training vs the unigram
baseline (always guess the most frequent training piece). Target: >= 2x the baseline.

Same settings as the page's defaults (views/bert/page.py): 1,000 news documents, a 2,000-piece WordPiece vocabulary,
10,000 NSP pairs of up to 32 pieces, TinyBertConfig() (2 layers, H 128, 4 heads, lr 2e-3), one torch thread as in
the training panel. Data preparation happens before Train starts its clock on the page (it is cached per corpus),
so it is timed separately. Writes bench/results/bert.md.

    .venv/bin/python bench/bert_bench.py [seconds]
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

from engine.bert.model import TinyBert, TinyBertConfig, build_pretrain_data, evaluate, train_bert  # noqa: E402
from engine.bert.wordpiece import train_wordpiece  # noqa: E402
from engine.core.corpus import load_documents  # noqa: E402
from engine.core.train import run  # noqa: E402


def main(seconds: float = 60.0) -> None:
    torch.set_num_threads(1)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    docs = load_documents("news_en", 1000)
    tok = train_wordpiece([s for d in docs for s in d], 2000)
    cfg = TinyBertConfig()
    data = build_pretrain_data(docs, tok, cfg, n_pairs=10_000)
    prep = time.perf_counter() - t0
    model = TinyBert(cfg, tok)
    checkpoints = {}

    def note(p):
        if "mlm_acc" in p.metrics:
            checkpoints[p.step] = (time.perf_counter() - start, p.metrics["mlm_acc"], p.metrics["nsp_acc"])

    start = time.perf_counter()
    result = run(train_bert(model, data), max_seconds=seconds, on_progress=note)
    final = evaluate(model, data)
    base = data.unigram_accuracy
    ratio = final["mlm_acc"] / base if base else float("nan")
    steps = len(result.history)
    rows = "\n".join(
        f"| {s} | {t:.0f} | {a:.3f} | {n:.3f} |"
        for s, (t, a, n) in sorted(checkpoints.items())
        if s in (1, steps) or s % 100 == 0
    )
    md = f"""## BERT: tiny BERT pre-training speed (bench/bert_bench.py)

MLM top-1 accuracy on held-out news pairs after {seconds:.0f} s of training on one CPU thread, against the unigram
baseline (always predict the most frequent piece, `{tok.convert_ids_to_tokens([data.unigram_id])[0]}`).

| measure | value |
|---|---|
| MLM top-1 accuracy | **{final['mlm_acc']:.3f}** |
| unigram baseline | {base:.3f} |
| ratio (target ≥ 2×) | **{ratio:.2f}×** {'✅' if ratio >= 2 else '❌'} |
| NSP accuracy (chance 0.5) | {final['nsp_acc']:.3f} |
| steps in {seconds:.0f} s (batch 32, ≤ 32 pieces) | {steps} ({result.seconds / max(steps, 1) * 1000:.0f} ms/step) |
| data preparation (vocabulary + 10,000 pairs, cached on the page) | {prep:.1f} s |
| load average at start (2 cores shared) | {load_before:.1f} |

| step | seconds | MLM acc | NSP acc |
|---|---|---|---|
{rows}

Machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}. The load average matters: the
same run on an idle core takes fewer ms per step and reaches more steps in {seconds:.0f} s.
"""
    out = ROOT / "bench" / "results" / "bert.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0)
