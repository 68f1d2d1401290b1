"""Rerun latency of every page with a trained model in the session, on the real server (target < 300 ms).

    .venv/bin/python bench/rerun_latency.py                       # every page of the app
    .venv/bin/python bench/rerun_latency.py --pages /transformer /glove --label after --out /tmp/x.md

One `streamlit run app.py` on loopback, one student at a time, speaking Streamlit's websocket protocol (the client
of bench/classroom_ws.py). For each page: open it (and once more, so the timed session finds the process warm, as
in a lesson), press its first Train button when it has one and let the run go for --train seconds (then Stop, or it
ends by itself), wait for the panel to say it ended, then change --changes widgets of the page one at a time (sliders,
select-sliders and number inputs first, then selectboxes and radios; each one step away from its value) and time
each request → `script_finished` of the rerun it caused (a full run, or the fragment's run when the widget sits in a
st.fragment). That is what a student waits for after touching a widget once a model is trained. The server's CPU
time during each rerun (user + system, its whole process) is recorded too: on a machine shared with other work the
wall time swings with the load, the CPU time much less.

Writes bench/results/rerun_latency.md (or --out) and raw numbers to bench/out/<its stem>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classroom import ROOT, Server, fmt, pct  # noqa: E402
from classroom_ws import ENDED, Session, WidgetState, discover_pages, new_value, remember, training_status  # noqa: E402

ORDER = {"slider": 0, "number_input": 0, "selectbox": 1, "radio": 1}


async def measure_page(
    base: str, path: str, lang: str, train_s: float, changes: int, seed: int, cpu=lambda: 0.0
) -> dict:
    import random

    rng = random.Random(seed)
    warm = Session(base, lang, path)  # the page's first open in this process pays for imports and cache_resource
    await warm.connect()
    await warm.open(300)
    await warm.close()
    s = Session(base, lang, path)
    out = {"page": path, "lang": lang, "trained": None, "train_s": None, "changes": [], "error": None}
    await s.connect()
    try:
        out["load_ms"] = await s.open(300)
        button = s.train_button()
        if button is not None:
            t0 = time.perf_counter()
            await s.rerun([WidgetState(id=button.id, trigger_value=True)], fragment_id=button.fragment_id, timeout_s=60)
            while time.perf_counter() - t0 < train_s + 60:
                status = training_status(s.progress_text)
                if status in ENDED:
                    break
                if time.perf_counter() - t0 > train_s and status == "running":
                    stop = s.train_button("stop")
                    if stop is not None:
                        await s.rerun([WidgetState(id=stop.id, trigger_value=True)], timeout_s=60)
                await asyncio.sleep(0.5)
            out["trained"], out["train_s"] = training_status(s.progress_text), time.perf_counter() - t0
            await asyncio.sleep(2.5)  # the panel's own closing rerun (poll, then st.rerun) has happened by now
            await s.rerun(timeout_s=60)  # and the page is fully drawn with the trained model
        widgets = sorted(s.changeable(), key=lambda w: ORDER[w.kind])
        for i in range(changes):
            if not widgets:
                break
            w = widgets[i % len(widgets)]
            w = s.widgets.get(w.id, w)  # the latest copy the page sent
            if w.id in s.states:
                remember(w, s.states[w.id])
            ws = new_value(w, rng)
            if ws is None:
                continue
            cpu0 = cpu()
            ms = await s.rerun([ws], fragment_id=w.fragment_id, timeout_s=120)
            out["changes"].append(
                {
                    "key": w.key,
                    "kind": w.kind,
                    "fragment": bool(w.fragment_id),
                    "ms": ms,
                    "cpu_ms": (cpu() - cpu0) * 1000,
                }
            )
            await asyncio.sleep(0.3)
        out["exceptions"] = s.exceptions
    except Exception as exc:  # noqa: BLE001
        out["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        stop = s.train_button("stop")
        await s.close()
    return out


async def run_all(
    pages: list[str] | None, lang: str, train_s: float, changes: int, seed: int, env: dict | None = None
) -> dict:
    with Server(env=env, log=ROOT / "bench" / "out" / "rerun-latency-server.log") as server:
        paths = pages or await discover_pages(server.url)
        load = os.getloadavg()
        results = []
        for p in paths:
            r = await measure_page(server.url, p, lang, train_s, changes, seed, server.cpu_seconds)
            ms = [c["ms"] for c in r["changes"]]
            print(
                f"{p:22s} trained={r['trained']} reruns median {fmt(statistics.median(ms) if ms else None)} ms "
                f"max {fmt(max(ms, default=None))} ms {r['error'] or ''}",
                flush=True,
            )
            results.append(r)
        return {"results": results, "load_before": load, "load_after": os.getloadavg(), "lang": lang}


def report(run: dict, argv: list[str], label: str) -> str:
    cmd = " ".join(["python bench/rerun_latency.py", *argv])
    lines = [
        f"**Rerun latency with a trained model in the session ({label})** · `{cmd}` · "
        f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{run['load_before'][0]:.1f} → {run['load_after'][0]:.1f} (other work shares the machine), one student, "
        "real server over its websocket",
        "",
        "| page | model trained (status, s) | reruns | median (ms) | p95 / max (ms) | server CPU per rerun, median (ms) "
        "| slowest widget | in a fragment |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in run["results"]:
        ms = [c["ms"] for c in r["changes"]]
        slow = max(r["changes"], key=lambda c: c["ms"])["key"] if ms else "–"
        frag = sum(c["fragment"] for c in r["changes"])
        trained = f"{r['trained']}, {r['train_s']:.0f}" if r["trained"] else "no Train button"
        med = statistics.median(ms) if ms else None
        mark = "" if med is None else (" ✓" if med < 300 else "")
        cpu = [c["cpu_ms"] for c in r["changes"]]
        lines.append(
            f"| `{r['page']}` | {trained} | {len(ms)} | {fmt(med)}{mark} | {fmt(pct(ms, 95))} / "
            f"{fmt(max(ms, default=None))} | {fmt(statistics.median(cpu) if cpu else None)} "
            f"| `{slow}` | {frag}/{len(ms)} |" + (f" error: {r['error']}" if r["error"] else "")
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", nargs="+", help="URL paths (default: every page of the navigation)")
    ap.add_argument("--lang", default="en")
    ap.add_argument("--train", type=float, default=5.0, help="seconds of training before Stop (default 5)")
    ap.add_argument("--changes", type=int, default=8, help="widget changes timed per page")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--label", default="now")
    ap.add_argument(
        "--server-env",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="environment for the server, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC=false",
    )
    ap.add_argument(
        "--app-dir",
        type=Path,
        help="serve the app from another checkout (e.g. `git archive` of an older "
        "commit, to time before / after a change under the same load)",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "rerun_latency.md")
    args = ap.parse_args(argv)
    if args.app_dir:
        import classroom

        classroom.ROOT = args.app_dir.resolve()  # Server starts `streamlit run app.py` there
    run = asyncio.run(
        run_all(
            args.pages, args.lang, args.train, args.changes, args.seed, dict(kv.split("=", 1) for kv in args.server_env)
        )
    )
    out_json = ROOT / "bench" / "out" / f"{args.out.stem}-{args.label}.json"
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(run, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(run, argv, args.label), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
