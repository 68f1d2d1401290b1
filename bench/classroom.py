"""Classroom load test: N students (headless Chromium contexts) using one local NLP Atlas server at once.

    .venv/bin/python bench/classroom.py                            # N = 1, 10, 30 on one process, N = 30 on 2 replicas
    .venv/bin/python bench/classroom.py --sessions 5 --budget 60   # a quick check while developing
    .venv/bin/python bench/classroom.py --sessions 30 --replicas 1 2 --out /tmp/x.md

Each session opens one page (round-robin over the pages the sidebar lists, half in English, half in Chinese), changes
a widget a few times (a slider or number box of the page, else the language switch), presses the page's first Train
button (opening its tabs until one shows it) when it has one, keeps clicking around while it trains, waits for the result, then reads it (no exception box).

Interaction latency = from the browser's own input event (pointerdown / keydown) to the server's `script_finished`
message for the rerun that event asked for, both timed inside the page (see STATE_LOG_JS).
Server memory is the sum of PSS over the server's process tree (streamlit replicas and nginx), sampled every 0.5 s.

Bounded: at most MAX_SESSIONS sessions, every run ends by --budget seconds (a training still running then is
stopped with its Stop button), the server listens on 127.0.0.1 only and is stopped afterwards. The browser shares
the machine's cores with the server, so these numbers are pessimistic for a real room (30 laptops render there).

Writes bench/results/classroom.md (or --out), raw records to bench/out/<its stem>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ui.i18n import LANGS, strings  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--mute-audio",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
MAX_SESSIONS = 40
IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
ACTION_TIMEOUT_S = 20.0

# Installed in every page before the app loads: it wraps the page's WebSocket and logs, on the page's own clock,
# each rerun the user asked for (BackMsg.rerun_script with is_auto_rerun unset) and each script end the server
# reported (ForwardMsg.script_finished), plus the last input event. The DOM's script-state attribute is not enough:
# React batches a fast run's running -> notRunning into one render, so short reruns never show up there.
# Field numbers from streamlit/proto: BackMsg.rerun_script = 11; ClientState.fragment_id = 5, is_auto_rerun = 6;
# ForwardMsg.script_finished = 6 (0 full run done, 1 compile error, 2 ended early for a rerun, 3 fragment done).
STATE_LOG_JS = """
(() => {
  if (window.__atlas) return;
  const A = window.__atlas = {sends: [], finishes: [], act: null};
  const fields = (buf) => {  // top-level protobuf fields: [number, varint or bytes]
    const out = []; let i = 0;
    const varint = () => { let x = 0, s = 1, b; do { b = buf[i++]; x += (b & 127) * s; s *= 128; } while (b & 128); return x; };
    while (i < buf.length) {
      const key = varint(), f = Math.floor(key / 8), w = key % 8;
      if (w === 0) out.push([f, varint()]);
      else if (w === 2) { const n = varint(); out.push([f, buf.subarray(i, i + n)]); i += n; }
      else if (w === 1) i += 8; else if (w === 5) i += 4; else break;
    }
    return out;
  };
  const bytes = (d) => d instanceof ArrayBuffer ? new Uint8Array(d) : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : null;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const t = performance.now(), b = bytes(e.data);
        if (b) try { for (const [f, v] of fields(b)) if (f === 6) A.finishes.push([t, v]); } catch (err) {}
      });
    }
    send(data) {
      const t = performance.now(), b = bytes(data);
      if (b) try {
        for (const [f, v] of fields(b)) if (f === 11) {
          const cs = fields(v), auto = cs.some(([n, x]) => n === 6 && x), frag = cs.some(([n, x]) => n === 5 && x.length);
          if (!auto) A.sends.push([t, !frag]);
        }
      } catch (err) {}
      return super.send(data);
    }
  };
  for (const ev of ['pointerdown', 'keydown'])
    document.addEventListener(ev, () => { A.act = performance.now(); }, true);
})();
"""
# Milliseconds from the input event `act` to the end of the run it asked for (a full run, or its fragment's), else null.
RERUN_DONE_JS = """
(act) => {
  const A = window.__atlas, req = A.sends.find(s => s[0] >= act);
  if (!req) return null;
  const want = req[1] ? [0, 1] : [3];
  const fin = A.finishes.find(f => f[0] >= req[0] && want.includes(f[1]));
  return fin ? fin[0] - act : null;
}
"""
# Page clock time at which the last full script run so far ended (the load, with any rerun it triggers itself).
LAST_RUN_END_JS = (
    "(() => { const f = window.__atlas.finishes.filter(f => f[1] === 0).pop(); return f ? f[0] : null; })()"
)


# The shared panel's texts (Train, Stop, status labels) in each language, as the app shows them.
LABELS = {
    lang: {k.removeprefix("common."): v for k, v in strings(lang).items() if k.startswith("common.")} for lang in LANGS
}


def free_port(block: int = 1) -> int:
    """A port p on 127.0.0.1 with p .. p+block-1 all free (replicas use PORT+1..PORT+N)."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + block > 65536:
            continue
        socks = []
        try:
            for p in range(base, base + block):
                socks.append(socket.socket())
                socks[-1].bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port")


def pct(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank), None for no data."""
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, max(0, math.ceil(q / 100 * len(v)) - 1))]


# ---------------------------------------------------------------------------------------------- the server


class Server:
    """`streamlit run app.py` on loopback (replicas == 1) or deploy/serve_replicas.sh (replicas > 1, or via_nginx).

    Started in its own process group, so stopping it ends exactly the processes it started.
    """

    def __init__(self, replicas: int = 1, via_nginx: bool = False, env: dict | None = None, log: Path | None = None):
        self.replicas, self.via_nginx = replicas, via_nginx or replicas > 1
        self.env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **(env or {})}
        self.log_path = log or ROOT / "bench" / "out" / "server.log"
        self.proc: subprocess.Popen | None = None
        self.port = free_port(self.replicas + 1)
        self.url = f"http://127.0.0.1:{self.port}"
        self.started_at = 0.0

    def start(self) -> "Server":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("w")
        if self.via_nginx:
            cmd = ["bash", str(ROOT / "deploy" / "serve_replicas.sh")]
            env = {
                **self.env,
                "N": str(self.replicas),
                "PORT": str(self.port),
                "ADDR": "127.0.0.1",
                "BIN": str(Path(sys.executable).parent),
                "RUN_DIR": str(self.log_path.parent / f"nginx-{self.port}"),
            }
        else:
            cmd = [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(self.port),
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ]
            env = self.env
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    @property
    def backend_urls(self) -> list[str]:
        """Each replica's own address (serve_replicas.sh puts replica i on PORT+i), or the one server's."""
        if not self.via_nginx:
            return [self.url]
        return [f"http://127.0.0.1:{self.port + i}" for i in range(1, self.replicas + 1)]

    def wait_healthy(self, timeout_s: float = 120.0) -> float:
        """Seconds from start() until /_stcore/health answers through the public port."""
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}); see {self.log_path}")
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).read() == b"ok":
                    return time.perf_counter() - self.started_at
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server not healthy after {timeout_s} s; see {self.log_path}")

    def processes(self):
        import psutil

        try:
            root = psutil.Process(self.proc.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def rss_mb(self) -> float:
        """Memory of the server's process tree in MB: the sum of PSS (proportional set size), not RSS — pages several
        of its processes share (shared libraries, copy-on-write) would be counted once per process by RSS."""
        total = 0
        for p in self.processes():
            with contextlib.suppress(Exception):
                if p.name() not in ("bash", "sh"):
                    try:
                        total += p.memory_full_info().pss
                    except (AttributeError, OSError):
                        total += p.memory_info().rss
        return total / 2**20

    def cpu_seconds(self) -> float:
        """CPU seconds of the server's live processes plus what they reaped (finished child processes)."""
        total = 0.0
        for p in self.processes():
            with contextlib.suppress(Exception):
                c = p.cpu_times()
                total += c.user + c.system + getattr(c, "children_user", 0.0) + getattr(c, "children_system", 0.0)
        return total

    def client_cpu_by_pid(self) -> dict[int, float]:
        """CPU seconds so far of this process and of its other children (the browser), per process."""
        import psutil

        server = {p.pid for p in self.processes()}
        me = psutil.Process()
        out = {me.pid: sum(me.cpu_times()[:2])}
        for p in me.children(recursive=True):
            if p.pid not in server:
                with contextlib.suppress(Exception):
                    out[p.pid] = sum(p.cpu_times()[:2])
        return out

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self) -> "Server":
        self.start()
        try:
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# ---------------------------------------------------------------------------------------------- one browser tab


async def wait_idle(page, timeout_s: float, settle_s: float = 0.5) -> None:
    """Connected and no script running, continuously for settle_s (a page may rerun once right after loading)."""
    deadline = time.monotonic() + timeout_s
    idle_since = None
    while time.monotonic() < deadline:
        if await page.query_selector(IDLE) is not None:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= settle_s:
                return
        else:
            idle_since = None
        await asyncio.sleep(0.1)
    raise TimeoutError("the app did not become idle")


async def timed(page, action, timeout_s: float = ACTION_TIMEOUT_S) -> float:
    """Run `action` (a coroutine function doing one click / key press); ms until the rerun it caused finished."""
    before = await page.evaluate("window.__atlas.act = null, performance.now()")
    await action()
    act = await page.evaluate("window.__atlas.act") or before
    handle = await page.wait_for_function(RERUN_DONE_JS, arg=act, polling=50, timeout=timeout_s * 1000)
    return float(await handle.json_value())


async def main_widget(page):
    """The first visible, enabled slider or number box of the page's main area, else None."""
    # Not inside a form: a form only reruns on its submit button.
    for sel in (
        '[data-testid="stMain"] [data-testid="stSlider"]:not([data-testid="stForm"] *) '
        'input[type="range"]:not([disabled]):visible',
        '[data-testid="stMain"] [data-testid="stNumberInput"]:not([data-testid="stForm"] *):visible',
    ):
        loc = page.locator(sel)
        if await loc.count():
            return loc.first
    return None


async def nudge(page, widget) -> None:
    """Move a slider or number box one step (towards the free side); the app reruns with the new value."""
    if await widget.get_attribute("type") == "range":
        now, top = await widget.evaluate("e => [Number(e.value), Number(e.max)]")
        await widget.press("ArrowLeft" if now >= top else "ArrowRight", timeout=5000)
    else:
        up = widget.locator('[data-testid="stNumberInputStepUp"]')
        target = up if await up.is_enabled() else widget.locator('[data-testid="stNumberInputStepDown"]')
        await target.click(timeout=5000)


async def toggle_language(page, lang: str) -> str:
    other = "zh" if lang == "en" else "en"
    await page.locator('[data-testid="stSidebar"] .st-key-lang [role="radio"]', has_text=other).click()
    return other


def train_button(page, lang: str):
    label = LABELS[lang]["train"]
    return page.locator(
        '[data-testid="stMain"] button[kind="primary"]:visible', has_text=re.compile(rf"^\s*{label}\s*$")
    )


async def find_train_button(page, lang: str):
    """The page's first Train button, opening its tabs one by one until one shows it; None if it has none."""
    button = train_button(page, lang)
    if await button.count():
        return button.first
    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    for i in range(await tabs.count()):
        await tabs.nth(i).click(timeout=10_000)
        await wait_idle(page, ACTION_TIMEOUT_S, settle_s=0.2)  # a tab with on_change reruns the script
        if await button.count():
            return button.first
    return None


@dataclass
class SessionRecord:
    index: int
    page: str
    lang: str
    load_ms: float | None = None
    interactions_ms: list[float] = field(default_factory=list)  # nobody in this tab is training
    during_training_ms: list[float] = field(default_factory=list)  # this tab's own training is running
    train_click_ms: float | None = None  # Train pressed -> the panel shows the run (queued or running)
    train_s: float | None = None  # Train pressed -> finished (done / capped / stopped)
    train_status: str | None = None
    queue_s: float | None = None  # Train pressed -> the label stops saying "waiting for a free slot"
    timeouts: int = 0
    exceptions: int = 0
    error: str | None = None


async def student(
    browser, base: str, path: str, index: int, lang: str, deadline: float, rng: random.Random, ramp_s: float
) -> SessionRecord:
    rec = SessionRecord(index, path, lang)
    await asyncio.sleep(ramp_s)
    ctx = await browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN" if lang == "zh" else "en-US"
    )
    await ctx.add_init_script(STATE_LOG_JS)
    page = await ctx.new_page()
    left = lambda: max(deadline - time.monotonic(), 0.5)  # noqa: E731

    async def think():
        await asyncio.sleep(min(rng.uniform(0.5, 1.5), max(left(), 0)))

    async def interact(bucket: list[float]):
        nonlocal lang
        widget = await main_widget(page)
        try:
            if widget is not None and rng.random() < 0.7:
                bucket.append(await timed(page, lambda: nudge(page, widget), min(ACTION_TIMEOUT_S, left())))
            else:
                new = {}

                async def switch():
                    new["lang"] = await toggle_language(page, lang)

                bucket.append(await timed(page, switch, min(ACTION_TIMEOUT_S, left())))
                lang = new["lang"]
        except Exception:  # noqa: BLE001 - a slow or lost rerun is a data point, not a crash of the bench
            rec.timeouts += 1

    try:
        await page.goto(f"{base}{path}?lang={lang}", wait_until="domcontentloaded", timeout=left() * 1000)
        await wait_idle(page, left(), settle_s=0.3)
        # navigation start (the page clock's 0) -> the end of the last script run of the load
        rec.load_ms = await page.evaluate(LAST_RUN_END_JS)
        for _ in range(3):
            if deadline - time.monotonic() < 5:
                break
            await think()
            await interact(rec.interactions_ms)

        button = await find_train_button(page, lang) if deadline - time.monotonic() > 15 else None
        if button is not None and await button.is_enabled():
            t_click = time.perf_counter()
            try:
                rec.train_click_ms = await timed(page, lambda: button.click(), min(ACTION_TIMEOUT_S, left()))
            except Exception:  # noqa: BLE001
                rec.timeouts += 1
            # The panel's progress label starts with the job's status in the current language.
            queued = [LABELS[lg]["status_queued"] for lg in LABELS]
            ended = [LABELS[lg][f"status_{st}"] for lg in LABELS for st in ("done", "stopped", "capped", "error")]
            progress = page.locator('[data-testid="stMain"] [data-testid="stProgress"]:visible')
            while deadline - time.monotonic() > 2:
                text = " ".join(await progress.all_inner_texts())
                if rec.queue_s is None and text.strip() and not any(q in text for q in queued):
                    rec.queue_s = time.perf_counter() - t_click
                status = next((e for e in ended if text.strip().startswith(e)), None)
                if status is not None:
                    rec.train_s = time.perf_counter() - t_click
                    rec.train_status = status
                    break
                if rec.queue_s is not None and len(rec.during_training_ms) < 2:  # poke around while it runs
                    await interact(rec.during_training_ms)
                await asyncio.sleep(0.25)
            else:  # out of budget: stop it like a student would, and say so in the report
                stop = page.locator('[data-testid="stMain"] button:visible', has_text=LABELS[lang]["stop"])
                with contextlib.suppress(Exception):
                    await stop.first.click(timeout=3000)
                rec.train_status = "stopped by the bench (budget)"
        rec.exceptions = await page.locator('[data-testid="stException"]').count()
    except Exception as exc:  # noqa: BLE001
        rec.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    finally:
        with contextlib.suppress(Exception):
            await ctx.close()
    return rec


async def discover_pages(browser, base: str) -> list[str]:
    """URL paths of the pages in the sidebar navigation ('/' alone when the app has a single page)."""
    ctx = await browser.new_context()
    page = await ctx.new_page()
    try:
        await page.goto(f"{base}/?lang=en", wait_until="domcontentloaded")
        await wait_idle(page, 60)
        hrefs = await page.eval_on_selector_all('[data-testid="stSidebarNav"] a', "as => as.map(a => a.href)")
    finally:
        await ctx.close()
    paths = ["/" + h.split("://", 1)[1].split("/", 1)[1].split("?")[0] if "://" in h else h for h in hrefs]
    return list(dict.fromkeys(paths)) or ["/"]


async def warm_up(browser, bases: list[str], paths: list[str]) -> float:
    """Open every page once on every replica, all at once (as a teacher would before the lesson); seconds it took.

    The first open of a page in a fresh process pays for its imports and st.cache_resource loads; students who
    come later share them. Without this the first N students would measure the server's start-up, not its load.
    """

    async def visit(base: str, path: str) -> None:
        ctx = await browser.new_context()
        try:
            page = await ctx.new_page()
            await page.goto(f"{base}{path}?lang=en", wait_until="domcontentloaded", timeout=300_000)
            await wait_idle(page, 300)
        finally:
            await ctx.close()

    t0 = time.perf_counter()
    # The home page first, then the topics, as docs/classroom.md tells a teacher to do.
    await asyncio.gather(*[visit(b, "/") for b in bases])
    await asyncio.gather(*[visit(b, p) for b in bases for p in paths if p != "/"])
    return time.perf_counter() - t0


async def sampler(server: Server, stop: asyncio.Event, out: list[float], client: dict[int, float]) -> None:
    """Server RSS every 0.5 s into `out`; the browser's CPU per process into `client` (renderers come and go)."""
    while not stop.is_set():
        out.append(await asyncio.to_thread(server.rss_mb))
        client.update(await asyncio.to_thread(server.client_cpu_by_pid))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


async def run_once(
    n: int,
    replicas: int,
    budget_s: float,
    seed: int,
    pages: list[str] | None,
    via_nginx: bool = False,
    warm: bool = True,
) -> dict:
    from playwright.async_api import async_playwright

    if not 1 <= n <= MAX_SESSIONS:
        raise SystemExit(f"sessions must be 1..{MAX_SESSIONS}")
    with Server(replicas, via_nginx, log=ROOT / "bench" / "out" / f"classroom-server-n{n}-r{replicas}.log") as server:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            try:
                paths = pages or await discover_pages(browser, server.url)
                warm_s = await warm_up(browser, server.backend_urls, paths) if warm else None
                rss_idle = server.rss_mb()
                rss: list[float] = []
                client: dict[int, float] = {}
                stop = asyncio.Event()
                sampling = asyncio.create_task(sampler(server, stop, rss, client))
                load = os.getloadavg()[0]
                cpu0, client0, wall0 = server.cpu_seconds(), server.client_cpu_by_pid(), time.perf_counter()
                deadline = time.monotonic() + budget_s
                ramp = min(0.3 * n, 10.0)  # students do not all press Enter in the same millisecond
                rng = random.Random(seed)
                records = await asyncio.gather(
                    *[
                        student(
                            browser,
                            server.url,
                            paths[i % len(paths)],
                            i,
                            ("en", "zh")[i // len(paths) % 2],
                            deadline,
                            random.Random(rng.random()),
                            ramp * i / n,
                        )
                        for i in range(n)
                    ]
                )
                wall = time.perf_counter() - wall0
                cpu = server.cpu_seconds() - cpu0
                client.update(server.client_cpu_by_pid())
                client_cpu = sum(t - client0.get(pid, 0.0) for pid, t in client.items())
                stop.set()
                await sampling
            finally:
                await browser.close()
    return {
        "sessions": n,
        "replicas": replicas,
        "via_nginx": via_nginx or replicas > 1,
        "budget_s": budget_s,
        "pages": paths,
        "wall_s": wall,
        "server_cpu_s": cpu,
        "client_cpu_s": client_cpu,
        "loadavg_before": load,
        "warm_up_s": warm_s,
        "rss_idle_mb": rss_idle,
        "rss_peak_mb": max(rss, default=rss_idle),
        "records": [asdict(r) for r in records],
    }


# ---------------------------------------------------------------------------------------------- report


def summarize(run: dict) -> dict:
    recs = run["records"]
    inter = [x for r in recs for x in r["interactions_ms"]]
    during = [x for r in recs for x in r["during_training_ms"]]
    loads = [r["load_ms"] / 1000 for r in recs if r["load_ms"] is not None]
    trained = [r for r in recs if r["train_s"] is not None]
    queues = [r["queue_s"] for r in recs if r["queue_s"] is not None]
    cores = os.cpu_count() or 1
    return {
        "setup": ("nginx + " if run["via_nginx"] else "") + f"{run['replicas']} × streamlit",
        "n": run["sessions"],
        "ok": sum(r["error"] is None for r in recs),
        "load_p50": pct(loads, 50),
        "load_p95": pct(loads, 95),
        "int_n": len(inter),
        "int_p50": pct(inter, 50),
        "int_p95": pct(inter, 95),
        "int_max": max(inter, default=None),
        "dur_n": len(during),
        "dur_p50": pct(during, 50),
        "dur_p95": pct(during, 95),
        "trains": sum(r["train_status"] is not None for r in recs),
        "trained": len(trained),
        "queue_med": statistics.median(queues) if queues else None,
        "queue_max": max(queues, default=None),
        "train_med_s": statistics.median([r["train_s"] for r in trained]) if trained else None,
        "train_per_min": len(trained) / run["wall_s"] * 60,
        "timeouts": sum(r["timeouts"] for r in recs),
        "exceptions": sum(r["exceptions"] for r in recs),
        "rss_idle": run["rss_idle_mb"],
        "rss_peak": run["rss_peak_mb"],
        "server_cpu": run["server_cpu_s"] / run["wall_s"] / cores,
        "client_cpu": max(run["client_cpu_s"], 0) / run["wall_s"] / cores or None,
        "load": run["loadavg_before"],
        "wall": run["wall_s"],
        "warm": run.get("warm_up_s"),
        "errors": [f"`{r['page']}`: {r['error']}" for r in recs if r["error"]],
        "exception_pages": sorted({r["page"] for r in recs if r["exceptions"]}),
    }


def fmt(x, spec: str = ".0f") -> str:
    return "–" if x is None else format(x, spec)


def report(runs: list[dict], argv: list[str]) -> str:
    rows = [summarize(r) for r in runs]
    pages = runs[0]["pages"] if runs else []
    cmd = " ".join(["python bench/classroom.py", *argv])
    lines = [
        "## Classroom load test (bench/classroom.py)",
        "",
        f"`{cmd}` · {time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()}, {os.cpu_count()} cores shared with the "
        f"headless Chromium that plays all the students (and with other work: see the load average), Python "
        f"{platform.python_version()}, NLP_ATLAS_TRAIN_SLOTS={os.environ.get('NLP_ATLAS_TRAIN_SLOTS', 'default')}.",
        "",
        f"Pages in the app at the time ({len(pages)}): {', '.join(f'`{p}`' for p in pages)}. Each student opens one "
        "(round-robin; en and zh alternate), changes a widget three times (a slider or number box of the page, "
        "else the language switch), presses Train where the page has one and keeps clicking while it trains, then "
        "reads the result. Latency is timed inside the page: from the input event to the server's "
        "`script_finished` for the rerun it caused. Before the students arrive every page is opened once (warm-up, "
        "as a teacher would); then the students start, staggered over min(0.3 s × N, 10 s).",
        "",
        "**Responsiveness**",
        "",
        "| setup | N | sessions ok | page load p50 / p95 (s) | interaction p50 / p95 / max (ms), n "
        "| while own training p50 / p95 (ms), n | lost reruns | exception boxes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in rows:
        lines.append(
            f"| {s['setup']} | {s['n']} | {s['ok']}/{s['n']} | {fmt(s['load_p50'], '.1f')} / {fmt(s['load_p95'], '.1f')} "
            f"| {fmt(s['int_p50'])} / **{fmt(s['int_p95'])}** / {fmt(s['int_max'])}, {s['int_n']} "
            f"| {fmt(s['dur_p50'])} / {fmt(s['dur_p95'])}, {s['dur_n']} | {s['timeouts']} | {s['exceptions']} |"
        )
    lines += [
        "",
        "**Training and resources**",
        "",
        "| setup | N | trainings finished / started | wait for a slot median / max (s) | Train → finished median (s) "
        "| finished / min | server memory (PSS, all its processes) after warm-up → peak (MB) | server CPU | browser CPU | load avg before "
        "| warm-up (s) | wall (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in rows:
        lines.append(
            f"| {s['setup']} | {s['n']} | {s['trained']} / {s['trains']} | {fmt(s['queue_med'], '.1f')} / "
            f"{fmt(s['queue_max'], '.1f')} | {fmt(s['train_med_s'], '.1f')} | {fmt(s['train_per_min'], '.1f')} "
            f"| {fmt(s['rss_idle'])} → **{fmt(s['rss_peak'])}** | {fmt(100 * s['server_cpu'])} % "
            f"| {fmt(s['client_cpu'] and 100 * s['client_cpu']) + (' %' if s['client_cpu'] else '')} | {fmt(s['load'], '.1f')} | {fmt(s['warm'])} | {fmt(s['wall'])} |"
        )
    if runs:  # which pages are slow: the largest run, per page
        big = max(runs, key=lambda r: (r["sessions"], -r["replicas"]))
        lines += [
            "",
            f"**Per page** ({summarize(big)['setup']}, N = {big['sessions']})",
            "",
            "| page | students | page load p50 (s) | interaction p50 / p95 (ms), n |",
            "|---|---|---|---|",
        ]
        for path in big["pages"]:
            recs = [r for r in big["records"] if r["page"] == path]
            inter = [x for r in recs for x in r["interactions_ms"] + r["during_training_ms"]]
            loads = [r["load_ms"] / 1000 for r in recs if r["load_ms"] is not None]
            lines.append(
                f"| `{path}` | {len(recs)} | {fmt(pct(loads, 50), '.1f')} | {fmt(pct(inter, 50))} / "
                f"{fmt(pct(inter, 95))}, {len(inter)} |"
            )
    errors = [(s["setup"], s["n"], e) for s in rows for e in s["errors"]]
    errors += [(s["setup"], s["n"], f"`{p}`: an exception box was shown") for s in rows for p in s["exception_pages"]]
    if errors:
        lines += ["", "Problems seen:", ""] + [f"- {setup}, N={n}: {e}" for setup, n, e in errors[:30]]
    lines += [
        "",
        "CPU columns are shares of the whole machine. A training still running when the run's time budget "
        "ends is stopped with its Stop button and counts as started, not finished. Targets (issue 9): "
        "interaction p95 < 1000 ms at N = 30; training waits for a slot with a visible message instead of "
        "freezing everyone; server memory < 1.5 GB at N = 30.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, nargs="+", help="N values (default 1 10 30)")
    ap.add_argument(
        "--replicas",
        type=int,
        nargs="+",
        default=None,
        help="replica counts; 1 = plain `streamlit run`, >1 = deploy/serve_replicas.sh behind nginx",
    )
    ap.add_argument("--via-nginx", action="store_true", help="put nginx in front even with 1 replica")
    ap.add_argument("--budget", type=float, default=None, help="seconds per run (default 60 + 3 per session)")
    ap.add_argument("--pages", nargs="+", help="URL paths to use instead of the sidebar's pages, e.g. / /word2vec")
    ap.add_argument("--no-warm-up", action="store_true", help="do not open every page once before the students")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "classroom.md")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} missing: `make browser-deps` installs Debian's chromium", file=sys.stderr)
        return 2
    if args.sessions is None and args.replicas is None:  # the default matrix: the issue's N values, then scale-out
        plan = [(n, 1) for n in (1, 10, 30)] + [(30, 2)]
    else:
        plan = [(n, r) for r in (args.replicas or [1]) for n in (args.sessions or [1, 10, 30])]
    runs = []
    for n, r in plan:
        budget = args.budget or 60 + 3 * n
        print(f"classroom: N={n}, replicas={r}, budget {budget:.0f} s …", flush=True)
        run = asyncio.run(run_once(n, r, budget, args.seed, args.pages, args.via_nginx, not args.no_warm_up))
        s = summarize(run)
        print(
            f"  interaction p50/p95 {fmt(s['int_p50'])}/{fmt(s['int_p95'])} ms, trained {s['trained']}/"
            f"{s['trains']}, RSS peak {fmt(s['rss_peak'])} MB, errors {len(s['errors'])}",
            flush=True,
        )
        runs.append(run)
    out_json = ROOT / "bench" / "out" / f"{args.out.stem}.json"  # raw records beside the other bench outputs
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(runs, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(runs, argv), encoding="utf-8")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
