"""Cold start to first paint of the home page, and the first / second open of every page.

    .venv/bin/python bench/speed.py              # 3 cold starts, then each page twice
    .venv/bin/python bench/speed.py --repeat 1 --no-pages

Cold start: the clock starts when `streamlit run app.py` is spawned (Chromium is already running, as a student's
browser would be) and stops when the home page's title is painted in the browser. Along the way: when the server
answers its health check, and the browser's own first-contentful-paint. Each repeat is a fresh server process;
the OS file cache stays warm after the first, as it would on a classroom server.

Page opens (one warm server): each page in a fresh browser context, the first time in the process (imports,
st.cache_resource loads) and a second time (a new student opening the same page), timed from navigation start to
the end of the page's last script run of the load. Writes bench/results/speed.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classroom import CHROMIUM, LAST_RUN_END_JS, LAUNCH_ARGS, ROOT, STATE_LOG_JS, Server, wait_idle  # noqa: E402

FCP_JS = "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime ?? null"


async def cold_start(browser, i: int) -> dict:
    server = Server(log=ROOT / "bench" / "out" / f"speed-server-{i}.log").start()
    try:
        health = server.wait_healthy()
        ctx = await browser.new_context(locale="en-US")
        await ctx.add_init_script(STATE_LOG_JS)
        page = await ctx.new_page()
        nav = time.perf_counter()
        await page.goto(f"{server.url}/?lang=en", wait_until="commit")
        await page.locator('[data-testid="stMain"] h1').first.wait_for(state="visible", timeout=120_000)
        title = time.perf_counter()
        await wait_idle(page, 120, settle_s=0.3)
        out = {
            "health_s": health,
            "title_s": title - server.started_at,
            "title_after_nav_s": title - nav,
            "fcp_ms": await page.evaluate(FCP_JS),
            "run_end_ms": await page.evaluate(LAST_RUN_END_JS),
        }
        await ctx.close()
        return out
    finally:
        server.stop()


async def open_page(browser, url: str) -> float | None:
    ctx = await browser.new_context(locale="en-US")
    try:
        await ctx.add_init_script(STATE_LOG_JS)
        page = await ctx.new_page()
        await page.goto(url, wait_until="domcontentloaded", timeout=180_000)
        await wait_idle(page, 180, settle_s=0.5)
        errors = await page.locator('[data-testid="stException"]').count()
        ms = await page.evaluate(LAST_RUN_END_JS)
        return None if errors else ms
    finally:
        await ctx.close()


async def main_async(repeat: int, pages: bool) -> tuple[list[dict], list[tuple[str, float | None, float | None]]]:
    from playwright.async_api import async_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import nav_pages

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            colds = []
            for i in range(repeat):
                colds.append(await cold_start(browser, i))
                print(f"cold start {i + 1}: title painted {colds[-1]['title_s']:.1f} s after spawn", flush=True)
            opens = []
            if pages:
                with Server(log=ROOT / "bench" / "out" / "speed-server-pages.log") as server:
                    for n, (file, url_path) in enumerate(nav_pages()):
                        url = f"{server.url}/{'' if n == 0 else url_path}?lang=en"
                        first, second = await open_page(browser, url), await open_page(browser, url)
                        opens.append((file, first, second))
                        print(f"{file}: first {first} ms, second {second} ms", flush=True)
        finally:
            await browser.close()
    return colds, opens


def fmt(x, spec=".1f") -> str:
    return "–" if x is None else format(x, spec)


def report(colds: list[dict], opens: list, argv: list[str]) -> str:
    med = lambda k, scale=1.0: statistics.median([c[k] * scale for c in colds if c[k] is not None])  # noqa: E731
    lines = [
        "## Speed: cold start and page opens (bench/speed.py)",
        "",
        f"`{' '.join(['python bench/speed.py', *argv])}` · {time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end (other work shares the "
        f"machine), Python {platform.python_version()}, Chromium headless.",
        "",
    ]
    if colds:
        lines += [
            f"**Cold start to first paint of the home page: {med('title_s'):.1f} s** (median of {len(colds)}; a fresh "
            "`streamlit run app.py` each time, the browser already open).",
            "",
            "| run | server healthy (s after spawn) | first contentful paint (ms after navigation) "
            "| home title painted (s after spawn) | of which after navigation (s) | first script run ended (ms after navigation) |",
            "|---|---|---|---|---|---|",
        ]
        for i, c in enumerate(colds, 1):
            lines.append(
                f"| {i} | {fmt(c['health_s'])} | {fmt(c['fcp_ms'], '.0f')} | {fmt(c['title_s'])} "
                f"| {fmt(c['title_after_nav_s'])} | {fmt(c['run_end_ms'], '.0f')} |"
            )
        lines.append("")
    if opens:
        lines += [
            "**Opening each page** (one warm server; fresh browser context each time; navigation start → the page's "
            "last script run of the load ended; – = an exception box was shown):",
            "",
            "| page | first open in the process (ms) | second open (ms) |",
            "|---|---|---|",
        ]
        lines += [f"| `{file}` | {fmt(a, '.0f')} | {fmt(b, '.0f')} |" for file, a, b in opens]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="cold starts (default 3)")
    ap.add_argument("--no-pages", action="store_true", help="skip the per-page opens")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "speed.md")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} missing: `make browser-deps` installs Debian's chromium", file=sys.stderr)
        return 2
    colds, opens = asyncio.run(main_async(max(args.repeat, 0), not args.no_pages))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(colds, opens, argv), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
