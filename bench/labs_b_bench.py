"""BERT labs B (multilabel, feature_finetune, polysemy_task): how long each lab's default run takes on one torch
thread (as in the training panel) and the numbers it shows. feature_finetune is run twice: from a fresh tiny BERT
and from one pre-trained for `pretrain_s` seconds on toy_en (what a learner gets after the "Train a tiny BERT"
tab). Writes bench/results/labs_b.md.

    .venv/bin/python bench/labs_b_bench.py [pretrain_s]
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

from engine.bert.model import TinyBert, TinyBertConfig, build_pretrain_data, train_bert  # noqa: E402
from engine.bert.wordpiece import train_wordpiece  # noqa: E402
from engine.core.corpus import load_documents  # noqa: E402
from engine.core.train import run  # noqa: E402
from engine.labs import feature_finetune as ff  # noqa: E402
from engine.labs import multilabel as ml  # noqa: E402
from engine.labs import polysemy_task as pt  # noqa: E402

CAP = 30  # the panel's time cap for every lab


def multilabel() -> list[str]:
    cfg = ml.MultiLabelConfig()
    data = ml.make_garments(cfg)
    model = ml.MultiHeadClassifier(len(data.itos), cfg)
    res = run(ml.train_multilabel(model, data), max_seconds=CAP)
    m = [p.metrics for p in res.history if "acc_size" in p.metrics][-1]
    gap = ml.gradient_gap(model, data.x_val[:128], data.y_val[:128])
    return [
        f"| multilabel (defaults) | {res.history[-1].step}/{cfg.steps} | {res.seconds:.1f} | "
        f"size acc {m['acc_size']:.2f}, "
        f"season acc {m['acc_season']:.2f}, val loss {m['loss_size']:.3f} + {m['loss_season']:.3f}; "
        f"gradient gap {gap:.1e} |"
    ]


def feature_finetune(pretrain_s: float) -> list[str]:
    docs = load_documents("toy_en")
    sents = [s for d in docs for s in d]
    tok = train_wordpiece(sents, 2000)
    rows = []
    for label, seconds in (("fresh encoder", 0.0), (f"after {pretrain_s:.0f} s of pre-training", pretrain_s)):
        bert = TinyBert(TinyBertConfig(), tok)
        if seconds:
            run(train_bert(bert, build_pretrain_data(docs, tok, TinyBertConfig(), n_pairs=10_000)), max_seconds=seconds)
        cfg = ff.TransferConfig()
        models = ff.make_models(bert.net.bert)
        res = run(ff.train_both(models, ff.word_order_task(sents, tok, cfg), cfg), max_seconds=CAP)
        m = [p.metrics for p in res.history if "acc_features" in p.metrics][-1]
        mix = ", ".join(f"{v:.2f}" for v in models["features"].mix.weights().tolist())
        rows.append(
            f"| feature_finetune, {label} (toy_en) | {res.history[-1].step}/{cfg.steps} | {res.seconds:.1f} | "
            f"feature-based {m['acc_features']:.2f} ({models['features'].trainable():,} trainable) vs "
            f"fine-tuning {m['acc_finetune']:.2f} ({models['finetune'].trainable():,}); mix [{mix}] |"
        )
    return rows


def polysemy(lang: str) -> list[str]:
    cfg = pt.PolysemyTaskConfig(lang=lang)
    t0 = time.perf_counter()
    cmp = pt.run_comparison(cfg, max_seconds=CAP)
    s = time.perf_counter() - t0
    res = cmp.results
    wins = sum(r.bert_acc >= r.w2v_acc for r in res)
    return [
        f"| polysemy_task ({lang}, defaults) | {len(res)}/{cfg.n_seeds} seeds | {s:.1f} | BERT "
        f"{np.mean([r.bert_acc for r in res]):.2f} vs mean word2vec {np.mean([r.w2v_acc for r in res]):.2f}; "
        f"BERT >= word2vec in {wins}/{len(res)} seeds; per seed "
        + ", ".join(f"{r.w2v_acc:.2f}/{r.bert_acc:.2f}" for r in res)
        + " |"
    ]


def main(pretrain_s: float = 45.0) -> None:
    torch.set_num_threads(1)
    load = os.getloadavg()[0]
    rows = multilabel() + polysemy("en") + polysemy("zh") + feature_finetune(pretrain_s)
    out = [
        "# BERT labs B: multilabel, feature_finetune, polysemy_task",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; load average at "
        f"start {load:.1f} (2 cores shared by several engineers); one torch thread; each run capped at {CAP} s like "
        "the page.",
        "",
        "| lab run | steps done | seconds | what the page shows |",
        "|---|---|---|---|",
        *rows,
        "",
        "polysemy per seed: word2vec accuracy / BERT accuracy on 200 held-out sentences (chance 0.50).",
        "",
    ]
    path = ROOT / "bench" / "results" / "labs_b.md"
    path.write_text("\n".join(out), encoding="utf-8")
    print("\n".join(out))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 45.0)
