"""Where one rerun of each page spends its time: cProfile around the script thread of AppTest runs.

    .venv/bin/python bench/profile_pages.py                       # every page, 3 profiled reruns each
    .venv/bin/python bench/profile_pages.py --pages views/glove/page.py --top 25 --print
    .venv/bin/python bench/profile_pages.py --label after --out bench/out/profile-after.json

A page is opened through app.py like a student (the first run fills the st.cache_* entries and imports), then
rerun `--reruns` times with nothing changed: what a widget change costs when the change does not invalidate a
cache. Each rerun runs under cProfile in the script thread. For every page: the median rerun wall time, the bytes
of ForwardMsgs the run produced (what the server serialises and sends over the websocket; AppTest does not
serialise, so the serialisation is timed separately here), and the functions that dominate (cumulative time
inside the project's own code: views/, viz/, engine/, ui/, and the library calls they make).

The timings are for one session on an otherwise quiet process; under a classroom load, every rerun shares the cores
(see bench/classroom_ws.py). py-spy is not installed, and cProfile makes Python-heavy code look slower than it is,
so read the shares, not the absolute numbers. Writes bench/out/profile-<label>.json and, with --md, a markdown table.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from conftest import nav_pages  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from streamlit.testing.v1 import local_script_runner as lsr  # noqa: E402

PROFILE: dict[str, cProfile.Profile | None] = {"p": None}
_orig_thread = lsr.LocalScriptRunner._run_script_thread
SENT: dict[str, list] = {"msgs": []}


def _profiled_thread(self) -> None:
    prof = PROFILE["p"]
    if prof is not None:
        prof.enable()
    try:
        _orig_thread(self)
    finally:
        if prof is not None:
            prof.disable()
        SENT["msgs"] = list(self.forward_msgs())


lsr.LocalScriptRunner._run_script_thread = _profiled_thread
OURS = tuple(str(ROOT / d) for d in ("views", "viz", "engine", "ui"))


def top_functions(stats: pstats.Stats, n: int, ours_only: bool) -> list[dict]:
    rows = []
    for (file, line, func), (cc, nc, tt, ct, callers) in stats.stats.items():  # noqa: B007
        if ours_only and not file.startswith(OURS):
            continue
        name = f"{Path(file).relative_to(ROOT) if file.startswith(str(ROOT)) else Path(file).name}:{line}({func})"
        rows.append({"fn": name, "calls": nc, "self_ms": tt * 1e3, "cum_ms": ct * 1e3})
    key = "cum_ms" if ours_only else "self_ms"
    return sorted(rows, key=lambda r: -r[key])[:n]


def profile_page(page: str, lang: str, reruns: int, top: int) -> dict:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["lang"] = lang
    at.run()
    t0 = time.perf_counter()
    at.switch_page(page).run()
    first_ms = (time.perf_counter() - t0) * 1e3
    walls, prof = [], cProfile.Profile()
    for _ in range(reruns):
        PROFILE["p"] = prof
        t0 = time.perf_counter()
        at.run()
        walls.append((time.perf_counter() - t0) * 1e3)
        PROFILE["p"] = None
    msgs = SENT["msgs"]
    t0 = time.perf_counter()
    size = sum(len(m.SerializeToString()) for m in msgs)
    ser_ms = (time.perf_counter() - t0) * 1e3
    stats = pstats.Stats(prof)
    # AppTest compiles the page script on every run; the server compiles it once per process (ScriptCache).
    compile_s = sum(
        ct
        for (file, _, func), (_, _, _, ct, _) in stats.stats.items()
        if func == "get_bytecode" and file.endswith("script_cache.py")
    )
    return {
        "compile_ms": compile_s * 1e3 / max(reruns, 1),
        "page": page,
        "lang": lang,
        "first_ms": first_ms,
        "rerun_ms": statistics.median(walls),
        "rerun_all_ms": walls,
        "exceptions": len(at.exception),
        "msgs": len(msgs),
        "kb": size / 1024,
        "serialize_ms": ser_ms,
        "profiled_s": stats.total_tt / max(reruns, 1),
        "ours": top_functions(stats, top, True),
        "hot": top_functions(stats, top, False),
    }


def markdown(results: list[dict], label: str) -> str:
    lines = [
        f"**Profile of one rerun per page ({label})** — AppTest, one session, cProfile in the script thread",
        "",
        "| page | lang | rerun median (ms) | of which AppTest's script compile (ms) | ForwardMsgs, KB "
        "(serialise ms) | top own functions (cumulative ms per rerun) |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        tops = "; ".join(f"`{f['fn']}` {f['cum_ms'] / max(len(r['rerun_all_ms']), 1):.0f}" for f in r["ours"][:4])
        lines.append(
            f"| `{r['page']}` | {r['lang']} | {r['rerun_ms']:.0f} | {r.get('compile_ms', float('nan')):.0f} | {r['msgs']}, {r['kb']:.0f} "
            f"({r['serialize_ms']:.0f}) | {tops} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", nargs="+", help="page files, e.g. views/glove/page.py (default: every page of app.py)")
    ap.add_argument("--lang", default="en")
    ap.add_argument("--reruns", type=int, default=3)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--label", default="now")
    ap.add_argument("--print", action="store_true", help="print the hottest functions of each page")
    ap.add_argument("--md", action="store_true", help="print a markdown summary table")
    args = ap.parse_args(argv)
    pages = args.pages or [f for f, _ in nav_pages()]
    results = []
    for page in pages:
        r = profile_page(page, args.lang, args.reruns, args.top)
        results.append(r)
        print(
            f"{page:32s} first {r['first_ms']:7.0f} ms  rerun {r['rerun_ms']:6.0f} ms "
            f"(of which compiling the script {r['compile_ms']:.0f} ms)  "
            f"{r['msgs']:4d} msgs {r['kb']:7.0f} KB (serialise {r['serialize_ms']:.0f} ms)",
            flush=True,
        )
        if args.print:
            n = max(len(r["rerun_all_ms"]), 1)
            print("   own code, cumulative ms per rerun:")
            for f in r["ours"]:
                print(f"     {f['cum_ms'] / n:8.1f}  {f['fn']}  ({f['calls'] // n} calls)")
            print("   everything, self ms per rerun:")
            for f in r["hot"][:10]:
                print(f"     {f['self_ms'] / n:8.1f}  {f['fn']}")
    out = ROOT / "bench" / "out" / f"profile-{args.label}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    if args.md:
        print(markdown(results, args.label))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
