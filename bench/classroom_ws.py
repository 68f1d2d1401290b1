"""Classroom load test at the protocol level: N students, each a websocket session speaking Streamlit's own protocol.

    .venv/bin/python bench/classroom_ws.py                            # N = 1, 10, 30 on one process, N = 30 on 2 replicas
    .venv/bin/python bench/classroom_ws.py --sessions 5 --budget 40   # a quick check while developing
    .venv/bin/python bench/classroom_ws.py --sessions 30 --replicas 2 --out /tmp/x.md

Why not browsers: bench/classroom.py plays every student with headless Chromium on the same machine as the server.
On a 2-core box 30 browsers took most of the CPU (the server got 10-20 %), so it measured the browsers, not the
server. In a real room each browser runs on its student's laptop; the server only sees websocket messages. This
client sends exactly those messages (protobuf BackMsg.rerun_script with the page, the query string and widget
states, as the frontend does) and reads the ForwardMsg stream (new_session, deltas, auto_rerun, script_finished), so
the server does all the work a real room asks of it while the client costs a few % of one core (reported).
bench/classroom.py stays the end-to-end check with real browsers.

One student: GET / (as a browser does; through nginx this sets the sticky-replica cookie), open the websocket
/_stcore/stream, ask for one page (round-robin over the pages the app's navigation lists, en and zh alternate) and
wait for script_finished. Then, until the time budget ends, with a seeded think time of 2-4 s: change a widget the
page showed (a slider, select-slider, number input, selectbox or radio of the main area: the new value goes in
widget_states under that widget's id, like a click would) and time request -> script_finished of that run. On a
page with a Train button, after two changes it presses Train (a trigger value) and keeps changing widgets while its
run is queued or trains. Like the browser, it re-sends the fragment reruns the server asks for (ForwardMsg
auto_rerun: the training panel polls every second), which are load but are not timed as interactions.

Bounded: at most MAX_SESSIONS sessions, every run ends after --budget seconds (a training still running then is
stopped with its Stop button), loopback only, the server is started and stopped here.
Writes bench/results/classroom_ws.md (or --out) and the raw records to bench/out/<its stem>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import statistics
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classroom import ROOT, Server, fmt, pct  # noqa: E402  (the Chromium bench's server wrapper and helpers)

sys.path.insert(0, str(ROOT))
import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.NumberInput_pb2 import NumberInput  # noqa: E402
from streamlit.proto.Slider_pb2 import Slider  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from ui.i18n import LANGS, strings  # noqa: E402

MAX_SESSIONS = 60
FULL_DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
FRAGMENT_DONE = (ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,)
CHANGEABLE = ("slider", "number_input", "selectbox", "radio")
# The training panel's status labels, in both languages (the progress bar's text starts with one of them).
STATUS = {
    st: [strings(lg)[f"common.status_{st}"] for lg in LANGS]
    for st in ("queued", "running", "done", "stopped", "capped", "error")
}
ENDED = ("done", "stopped", "capped", "error")


@dataclass
class Widget:
    id: str
    kind: str
    proto: object
    fragment_id: str
    key: str


def user_key(widget_id: str) -> str:
    """The user key of a widget id ('$$ID-<hash>-w2v_dim' -> 'w2v_dim'), '' for widgets without one."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0].endswith("ID") else ""


def training_status(text: str) -> str | None:
    for status, labels in STATUS.items():
        if any(text.startswith(lb) for lb in labels):
            return status
    return None


class Session:
    """One student's websocket session: sends reruns, reads the ForwardMsg stream, keeps what the page shows."""

    def __init__(self, base: str, lang: str, path: str):
        path, _, extra = path.partition("?")  # "/glove?glove_tab=train": a page opened on one of its tabs
        self.base, self.lang, self.path = base, lang, path
        self.ws = None
        self.widgets: dict[str, Widget] = {}
        self.states: dict[str, WidgetState] = {}  # values this student changed (the server keeps the others)
        self.page_hash = ""
        self.query = f"lang={lang}" + (f"&{extra}" if extra else "")
        self.finishes: asyncio.Queue = asyncio.Queue()
        self.auto: dict[str, asyncio.Task] = {}
        self.full_in_flight = False
        self.progress_text = ""
        self.exceptions = 0
        self.auto_reruns = 0
        self.bytes_in = 0
        self.nav_pages: list[str] = []
        self._reader: asyncio.Task | None = None

    async def connect(self) -> None:
        def get_cookie() -> str:  # the page's HTML request: nginx answers with the sticky-replica cookie
            with urllib.request.urlopen(f"{self.base}/", timeout=60) as r:
                r.read()
                return "; ".join(c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or [])

        cookie = await asyncio.to_thread(get_cookie)
        uri = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(
            uri,
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=60,
            additional_headers={"Cookie": cookie} if cookie else None,
        )
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        for task in self.auto.values():
            task.cancel()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader

    # ------------------------------------------------------------------ receiving
    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self.bytes_in += len(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                if kind == "new_session":
                    frags = set(msg.metadata.run.fragment_ids)
                    if frags:  # a fragment run: only that fragment's widgets are redrawn
                        self.widgets = {k: w for k, w in self.widgets.items() if w.fragment_id not in frags}
                    else:  # a full run: every widget is redrawn and the run_every timers start again
                        self.widgets.clear()
                        for task in self.auto.values():
                            task.cancel()
                        self.auto.clear()
                elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    el = msg.delta.new_element
                    ek = el.WhichOneof("type")
                    if ek == "exception":
                        self.exceptions += 1
                    elif ek == "progress":
                        self.progress_text = el.progress.text
                    elif ek in CHANGEABLE or ek == "button":
                        w = getattr(el, ek)
                        in_main = bool(msg.metadata.delta_path) and msg.metadata.delta_path[0] == 0
                        if in_main and not w.form_id:
                            self.widgets[w.id] = Widget(w.id, ek, w, msg.delta.fragment_id, user_key(w.id))
                elif kind == "page_info_changed":  # URL-bound widgets and ?lang= live in the query string
                    self.query = msg.page_info_changed.query_string
                elif kind == "navigation":  # with st.navigation, the page actually run (the frontend sends it back)
                    self.page_hash = msg.navigation.page_script_hash
                    self.nav_pages = list(
                        dict.fromkeys("/" + ("" if p.is_default else p.url_pathname) for p in msg.navigation.app_pages)
                    )
                elif kind == "auto_rerun":
                    fid, every = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
                    if fid not in self.auto:
                        self.auto[fid] = asyncio.create_task(self._poll(fid, every))
                elif kind == "stop_auto_rerun":
                    for fid in msg.stop_auto_rerun.fragment_ids:
                        task = self.auto.pop(fid, None)
                        if task:
                            task.cancel()
                elif kind == "script_finished":
                    self.finishes.put_nowait((time.perf_counter(), msg.script_finished))
        except websockets.ConnectionClosed:
            pass

    async def _poll(self, fragment_id: str, every: float) -> None:
        """The frontend's run_every timer: ask for the fragment's rerun every `every` s (skipped during a full run)."""
        while True:
            await asyncio.sleep(every)
            if not self.full_in_flight:
                self.auto_reruns += 1
                await self._send(fragment_id=fragment_id, auto=True)

    # ------------------------------------------------------------------ sending
    async def _send(
        self, changes: list[WidgetState] = (), fragment_id: str = "", auto: bool = False, page_name: str = ""
    ) -> None:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        cs.page_name = page_name
        cs.fragment_id = fragment_id
        cs.is_auto_rerun = auto
        cs.context_info.locale = "zh-CN" if self.lang == "zh" else "en-US"
        cs.context_info.timezone = "UTC"
        for ws in changes:  # a trigger (button press) counts for this run only; values stay
            if ws.WhichOneof("value") != "trigger_value":
                self.states[ws.id] = ws
        triggers = [ws for ws in changes if ws.WhichOneof("value") == "trigger_value"]
        cs.widget_states.widgets.extend([*self.states.values(), *triggers])
        await self.ws.send(msg.SerializeToString())

    async def rerun(
        self, changes: list[WidgetState] = (), fragment_id: str = "", page_name: str = "", timeout_s: float = 60.0
    ) -> float:
        """Send one rerun like a user action; ms until the server's script_finished for it."""
        while not self.finishes.empty():  # finishes of fragment polls so far are not ours
            self.finishes.get_nowait()
        want = FRAGMENT_DONE if fragment_id else FULL_DONE
        self.full_in_flight = not fragment_id
        try:
            t0 = time.perf_counter()
            await self._send(changes, fragment_id=fragment_id, page_name=page_name)
            deadline = t0 + timeout_s
            while True:
                t, status = await asyncio.wait_for(self.finishes.get(), max(deadline - time.perf_counter(), 0.01))
                if status in want:
                    return (t - t0) * 1000
        finally:
            self.full_in_flight = False

    async def open(self, timeout_s: float) -> float:
        return await self.rerun(page_name=self.path.strip("/"), timeout_s=timeout_s)

    # ------------------------------------------------------------------ what a student does
    def changeable(self) -> list[Widget]:
        return [w for w in self.widgets.values() if w.kind in CHANGEABLE and not w.proto.disabled and w.key]

    def train_button(self, name: str = "train") -> Widget | None:
        return next(
            (
                w
                for w in self.widgets.values()
                if w.kind == "button" and w.key.endswith(f":{name}") and not w.proto.disabled
            ),
            None,
        )


def new_value(w: Widget, rng: random.Random) -> WidgetState | None:
    """The widget state a user's click would send: one step away from the value the page shows (or another option)."""
    p, ws = w.proto, WidgetState(id=w.id)
    if w.kind == "slider":
        if p.type == Slider.SELECT_SLIDER:
            opts = list(p.options)
            cur = list(p.value if p.set_value else p.default)
            i = int(cur[0]) if cur else 0
            j = i + 1 if i + 1 < len(opts) else i - 1
            if j < 0 or len(cur) != 1:
                return None
            ws.string_array_value.data.append(opts[j])
            return ws
        cur = list(p.value if p.set_value else p.default)
        if len(cur) != 1 or p.data_type not in (Slider.INT, Slider.FLOAT):
            return None
        v = cur[0] + p.step if cur[0] + p.step <= p.max else cur[0] - p.step
        ws.double_array_value.data.append(v)
        return ws
    if w.kind == "number_input":
        cur = p.value if p.set_value else p.default
        step = p.step or 1
        v = cur + step if not p.has_max or cur + step <= p.max else cur - step
        if p.has_min and v < p.min:
            return None
        if p.data_type == NumberInput.INT:
            ws.int_value = int(round(v))
        else:
            ws.double_value = v
        return ws
    if w.kind in ("selectbox", "radio"):
        opts = list(p.options)
        cur = p.raw_value if p.set_value and p.raw_value else (opts[p.default] if 0 <= p.default < len(opts) else "")
        others = [o for o in opts if o != cur]
        if not others:
            return None
        ws.string_value = rng.choice(others)
        return ws
    return None


def remember(w: Widget, ws: WidgetState) -> None:
    """Update our copy of the widget so the next change moves on from the value just sent."""
    p = w.proto
    if w.kind == "slider":
        p.set_value = True
        del p.value[:]
        if p.type == Slider.SELECT_SLIDER:
            p.value.append(list(p.options).index(ws.string_array_value.data[0]))
        else:
            p.value.append(ws.double_array_value.data[0])
    elif w.kind == "number_input":
        p.set_value, p.value = True, ws.int_value if p.data_type == NumberInput.INT else ws.double_value
    else:
        p.set_value, p.raw_value = True, ws.string_value


# ---------------------------------------------------------------------------------------------- one student


@dataclass
class Record:
    index: int
    page: str
    lang: str
    load_ms: float | None = None
    quiet_ms: list[float] = field(default_factory=list)  # no training running anywhere on the server
    busy_ms: list[float] = field(default_factory=list)  # another session's training running
    own_ms: list[float] = field(default_factory=list)  # this session's own training queued / running
    changed: list[str] = field(default_factory=list)  # widget keys changed, in order
    train_click_ms: float | None = None
    queue_s: float | None = None
    train_s: float | None = None
    train_status: str | None = None
    auto_reruns: int = 0
    timeouts: int = 0
    exceptions: int = 0
    mb_in: float = 0.0
    error: str | None = None


class Room:
    """What every student can see of the others: how many trainings run right now (for the latency buckets)."""

    def __init__(self):
        self.training = 0


async def student(
    base: str,
    path: str,
    index: int,
    lang: str,
    deadline: float,
    rng: random.Random,
    ramp_s: float,
    room: Room,
    action_timeout_s: float = 30.0,
) -> Record:
    rec = Record(index, path, lang)
    await asyncio.sleep(ramp_s)
    s = Session(base, lang, path)
    left = lambda: deadline - time.monotonic()  # noqa: E731
    own = {"state": None}  # None | queued | running | ended

    def bucket() -> list[float]:
        if own["state"] in ("queued", "running"):
            return rec.own_ms
        return rec.busy_ms if room.training > 0 else rec.quiet_ms

    def watch_training() -> None:
        st = training_status(s.progress_text)
        if own["state"] is None or st is None:
            return
        if own["state"] == "queued" and st != "queued":
            rec.queue_s = time.perf_counter() - t_press
            own["state"] = "running"
            room.training += 1
        if st in ENDED and own["state"] != "ended":
            if own["state"] == "running":
                room.training -= 1
            own["state"] = "ended"
            rec.train_s = time.perf_counter() - t_press
            rec.train_status = st

    t_press = 0.0
    try:
        await s.connect()
        rec.load_ms = await s.open(min(action_timeout_s * 4, max(left(), 1)))
        n_changes = 0
        while left() > 1:
            await asyncio.sleep(min(rng.uniform(2.0, 4.0), max(left(), 0)))
            watch_training()
            if left() <= 1:
                break
            button = s.train_button() if own["state"] is None and n_changes >= 2 and left() > 15 else None
            try:
                if button is not None:
                    t_press = time.perf_counter()
                    own["state"] = "queued"
                    rec.train_click_ms = await s.rerun(
                        [WidgetState(id=button.id, trigger_value=True)],
                        fragment_id=button.fragment_id,
                        timeout_s=min(action_timeout_s, max(left(), 1)),
                    )
                    watch_training()
                    continue
                options = s.changeable()
                if not options:
                    continue
                w = rng.choice(options)
                if w.id in s.states:  # the page redraws widgets with their defaults; we know what we sent
                    remember(w, s.states[w.id])
                ws = new_value(w, rng)
                if ws is None:
                    continue
                where = bucket()
                ms = await s.rerun([ws], fragment_id=w.fragment_id, timeout_s=min(action_timeout_s, max(left(), 1)))
                where.append(ms)
                rec.changed.append(w.key)
                n_changes += 1
                watch_training()
            except asyncio.TimeoutError:
                rec.timeouts += 1
        watch_training()
        if own["state"] in ("queued", "running"):  # out of budget: press Stop like a student would
            if own["state"] == "running":
                room.training -= 1
            own["state"] = "ended"
            rec.train_status = "stopped by the bench (budget)"
            stop = s.train_button("stop")
            if stop is not None:
                with contextlib.suppress(Exception):
                    await s.rerun([WidgetState(id=stop.id, trigger_value=True)], timeout_s=10)
    except Exception as exc:  # noqa: BLE001 - one student's failure is a data point, not the end of the bench
        rec.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
        if own["state"] == "running":
            room.training -= 1
    finally:
        rec.exceptions, rec.auto_reruns, rec.mb_in = s.exceptions, s.auto_reruns, s.bytes_in / 2**20
        await s.close()
    return rec


async def discover_pages(base: str) -> list[str]:
    """URL paths of the pages the app's navigation lists (ForwardMsg.navigation of the home page)."""
    s = Session(base, "en", "/")
    await s.connect()
    try:
        await s.open(120)
    finally:
        await s.close()
    return s.nav_pages or ["/"]


async def warm_up(bases: list[str], paths: list[str]) -> float:
    """Open every page once on every replica (as a teacher would before the lesson); seconds it took."""

    async def visit(base: str, path: str) -> None:
        s = Session(base, "en", path)
        await s.connect()
        try:
            await s.open(300)
        finally:
            await s.close()

    t0 = time.perf_counter()
    for b in bases:
        await visit(b, "/")
    await asyncio.gather(*[visit(b, p) for b in bases for p in paths if p != "/"])
    return time.perf_counter() - t0


async def sampler(server: Server, stop: asyncio.Event, out: list[float]) -> None:
    while not stop.is_set():
        out.append(await asyncio.to_thread(server.rss_mb))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


def own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system


async def run_once(
    n: int,
    replicas: int,
    budget_s: float,
    seed: int,
    pages: list[str] | None,
    warm: bool = True,
    env: dict | None = None,
    label: str = "",
) -> dict:
    if not 1 <= n <= MAX_SESSIONS:
        raise SystemExit(f"sessions must be 1..{MAX_SESSIONS}")
    with Server(replicas, env=env, log=ROOT / "bench" / "out" / f"classroom-ws-server-n{n}-r{replicas}.log") as server:
        paths = pages or await discover_pages(server.url)
        warm_s = await warm_up(server.backend_urls, paths) if warm else None
        await asyncio.sleep(2)  # let the warm-up sessions' cleanup pass
        rss_idle = server.rss_mb()
        rss: list[float] = []
        stop = asyncio.Event()
        sampling = asyncio.create_task(sampler(server, stop, rss))
        load = os.getloadavg()
        cpu0, me0, wall0 = server.cpu_seconds(), own_cpu_s(), time.perf_counter()
        deadline = time.monotonic() + budget_s
        ramp = min(0.3 * n, 10.0)  # students do not all press Enter in the same millisecond
        rng = random.Random(seed)
        room = Room()
        records = await asyncio.gather(
            *[
                # page i + 1: with N = 1 the student gets a topic page, not the home page (it has no widget to change)
                student(
                    server.url,
                    paths[(i + 1) % len(paths)],
                    i,
                    ("en", "zh")[(i // len(paths) + i) % 2],
                    deadline,
                    random.Random(rng.random()),
                    ramp * i / n,
                    room,
                )
                for i in range(n)
            ]
        )
        wall = time.perf_counter() - wall0
        cpu, me = server.cpu_seconds() - cpu0, own_cpu_s() - me0
        stop.set()
        await sampling
        load_after = os.getloadavg()
    return {
        "sessions": n,
        "replicas": replicas,
        "via_nginx": replicas > 1,
        "budget_s": budget_s,
        "pages": paths,
        "label": label,
        "env": env or {},
        "wall_s": wall,
        "server_cpu_s": cpu,
        "client_cpu_s": me,
        "loadavg_before": load,
        "loadavg_after": load_after,
        "warm_up_s": warm_s,
        "rss_idle_mb": rss_idle,
        "rss_peak_mb": max(rss, default=rss_idle),
        "records": [asdict(r) for r in records],
    }


# ---------------------------------------------------------------------------------------------- report


def summarize(run: dict) -> dict:
    recs = run["records"]
    quiet = [x for r in recs for x in r["quiet_ms"]]
    busy = [x for r in recs for x in r["busy_ms"]]
    own = [x for r in recs for x in r["own_ms"]]
    allnt = quiet + busy
    loads = [r["load_ms"] / 1000 for r in recs if r["load_ms"] is not None]
    started = [r for r in recs if r["train_click_ms"] is not None]
    trained = [r for r in recs if r["train_status"] in ENDED and r["train_s"] is not None]
    queues = [r["queue_s"] for r in recs if r["queue_s"] is not None]
    cores = os.cpu_count() or 1
    return {
        "setup": ("nginx + " if run["via_nginx"] else "")
        + f"{run['replicas']} × streamlit"
        + (f" ({run['label']})" if run.get("label") else ""),
        "n": run["sessions"],
        "ok": sum(r["error"] is None for r in recs),
        "load_p50": pct(loads, 50),
        "load_p95": pct(loads, 95),
        "load_max": max(loads, default=None),
        "all_n": len(allnt),
        "all_p50": pct(allnt, 50),
        "all_p95": pct(allnt, 95),
        "all_max": max(allnt, default=None),
        "quiet_n": len(quiet),
        "quiet_p50": pct(quiet, 50),
        "quiet_p95": pct(quiet, 95),
        "busy_n": len(busy),
        "busy_p50": pct(busy, 50),
        "busy_p95": pct(busy, 95),
        "own_n": len(own),
        "own_p50": pct(own, 50),
        "own_p95": pct(own, 95),
        "started": len(started),
        "trained": len(trained),
        "queue_n": sum(1 for q in queues if q > 1.5),
        "queue_med": statistics.median(queues) if queues else None,
        "queue_max": max(queues, default=None),
        "train_med_s": statistics.median([r["train_s"] for r in trained]) if trained else None,
        "train_per_min": len(trained) / run["wall_s"] * 60,
        "timeouts": sum(r["timeouts"] for r in recs),
        "exceptions": sum(r["exceptions"] for r in recs),
        "auto": sum(r["auto_reruns"] for r in recs),
        "rss_idle": run["rss_idle_mb"],
        "rss_peak": run["rss_peak_mb"],
        "server_cpu": run["server_cpu_s"] / run["wall_s"] / cores,
        "client_cpu": run["client_cpu_s"] / run["wall_s"] / cores,
        "load": run["loadavg_before"][0],
        "load_after": run["loadavg_after"][0],
        "wall": run["wall_s"],
        "warm": run.get("warm_up_s"),
        "errors": [f"`{r['page']}`: {r['error']}" for r in recs if r["error"]],
        "exception_pages": sorted({r["page"] for r in recs if r["exceptions"]}),
    }


def report(runs: list[dict], argv: list[str], notes: str = "") -> str:
    rows = [summarize(r) for r in runs]
    pages = runs[0]["pages"] if runs else []
    cmd = " ".join(["python bench/classroom_ws.py", *argv])
    lines = [
        "## Classroom load test, protocol level (bench/classroom_ws.py)",
        "",
        f"`{cmd}` · {time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, NLP_ATLAS_TRAIN_SLOTS={os.environ.get('NLP_ATLAS_TRAIN_SLOTS', 'default')}. "
        "Each student is one websocket session speaking Streamlit's protocol (no browser on this machine: in a room "
        "the browsers run on the students' laptops), so the server gets the machine minus the load client's own "
        "CPU (column *client CPU*) and whatever else ran (load average columns).",
        "",
        f"Pages ({len(pages)}): {', '.join(f'`{p}`' for p in pages)}; student i opens page (i + 1) mod {len(pages)}, "
        "en and zh alternate. After the page load, every 2-4 s (seeded) the student changes one slider / "
        "select-slider / number input / selectbox / radio of the page by one step and waits for its "
        "`script_finished`; on a page with a Train button it presses Train after two changes and keeps changing "
        "widgets while its run queues and trains. Every page is opened once before the students arrive (warm-up); "
        "students arrive staggered over min(0.3 s × N, 10 s).",
        "",
        "**Responsiveness** (request sent → `script_finished` of that run, ms)",
        "",
        "| setup | N | sessions ok | page load p50 / p95 / max (s) | **non-training interactions p50 / p95 / max**, n "
        "| of which: nobody training p50 / p95, n | another session training p50 / p95, n "
        "| own run queued or training p50 / p95, n | timed out | exception boxes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in rows:
        lines.append(
            f"| {s['setup']} | {s['n']} | {s['ok']}/{s['n']} | {fmt(s['load_p50'], '.1f')} / "
            f"{fmt(s['load_p95'], '.1f')} / {fmt(s['load_max'], '.1f')} "
            f"| {fmt(s['all_p50'])} / **{fmt(s['all_p95'])}** / {fmt(s['all_max'])}, {s['all_n']} "
            f"| {fmt(s['quiet_p50'])} / {fmt(s['quiet_p95'])}, {s['quiet_n']} "
            f"| {fmt(s['busy_p50'])} / {fmt(s['busy_p95'])}, {s['busy_n']} "
            f"| {fmt(s['own_p50'])} / {fmt(s['own_p95'])}, {s['own_n']} | {s['timeouts']} | {s['exceptions']} |"
        )
    lines += [
        "",
        "**Training and resources**",
        "",
        "| setup | N | trainings finished / started | waited for a slot (> 1.5 s) | slot wait median / max (s) "
        "| Train → finished median (s) | finished / min | panel polls sent | server memory (PSS, all its processes) after warm-up → peak (MB) "
        "| server CPU | client CPU | load avg before → after | warm-up (s) | wall (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in rows:
        lines.append(
            f"| {s['setup']} | {s['n']} | {s['trained']} / {s['started']} | {s['queue_n']} "
            f"| {fmt(s['queue_med'], '.1f')} / {fmt(s['queue_max'], '.1f')} | {fmt(s['train_med_s'], '.1f')} "
            f"| {fmt(s['train_per_min'], '.1f')} | {s['auto']} | {fmt(s['rss_idle'])} → **{fmt(s['rss_peak'])}** "
            f"| {fmt(100 * s['server_cpu'])} % | {fmt(100 * s['client_cpu'])} % | {fmt(s['load'], '.1f')} → "
            f"{fmt(s['load_after'], '.1f')} | {fmt(s['warm'])} | {fmt(s['wall'])} |"
        )
    if runs:  # which pages are slow: the largest single-process run, per page
        singles = [r for r in runs if r["replicas"] == 1] or runs
        big = max(reversed(singles), key=lambda r: r["sessions"])  # the last of the largest
        lines += [
            "",
            f"**Per page** ({summarize(big)['setup']}, N = {big['sessions']})",
            "",
            "| page | students | page load p50 (s) | non-training interactions p50 / p95 (ms), n "
            "| own run training p50 (ms) | trainings finished / started |",
            "|---|---|---|---|---|---|",
        ]
        for path in big["pages"]:
            recs = [r for r in big["records"] if r["page"] == path]
            inter = [x for r in recs for x in r["quiet_ms"] + r["busy_ms"]]
            own = [x for r in recs for x in r["own_ms"]]
            loads = [r["load_ms"] / 1000 for r in recs if r["load_ms"] is not None]
            fin = sum(1 for r in recs if r["train_status"] in ENDED)
            lines.append(
                f"| `{path}` | {len(recs)} | {fmt(pct(loads, 50), '.1f')} | {fmt(pct(inter, 50))} / "
                f"{fmt(pct(inter, 95))}, {len(inter)} | {fmt(pct(own, 50))} "
                f"| {fin} / {sum(1 for r in recs if r['train_click_ms'] is not None)} |"
            )
    errors = [(s["setup"], s["n"], e) for s in rows for e in s["errors"]]
    errors += [(s["setup"], s["n"], f"`{p}`: an exception box was sent") for s in rows for p in s["exception_pages"]]
    if errors:
        lines += ["", "Problems seen:", ""] + [f"- {setup}, N={n}: {e}" for setup, n, e in errors[:30]]
    lines += [
        "",
        "CPU columns are shares of the whole machine (100 % = all cores). A training still running when the "
        "budget ends is stopped with its Stop button and counts as started, not finished. Targets (issue 9): "
        "non-training interaction p95 < 1000 ms at N = 30; training waits for a slot with a visible message "
        "instead of freezing everyone; server memory < 1.5 GB at N = 30.",
        "",
    ]
    if notes:
        lines += [notes.strip(), ""]
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
    ap.add_argument("--budget", type=float, default=None, help="seconds per run (default 60 + N)")
    ap.add_argument(
        "--pages",
        nargs="+",
        help="URL paths to use instead of the navigation's pages, e.g. / /word2vec "
        "\"/glove?glove_tab=train\" (a query string opens a tab or sets widgets)",
    )
    ap.add_argument("--no-warm-up", action="store_true", help="do not open every page once before the students")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--notes", type=Path, help="a markdown file appended to the report (the reading of the numbers)")
    ap.add_argument(
        "--app-dir",
        type=Path,
        help="serve the app from another checkout (e.g. `git archive` of an older "
        "commit: before / after a change under the same conditions)",
    )
    ap.add_argument(
        "--server-env",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="environment for the server, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC=false",
    )
    ap.add_argument("--label", default="", help="a short name for these runs in the report's setup column")
    ap.add_argument(
        "--merge",
        nargs="+",
        type=Path,
        metavar="JSON",
        help="only write the report from earlier runs' raw records (bench/out/*.json), in this order",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "classroom_ws.md")
    args = ap.parse_args(argv)
    notes = args.notes.read_text(encoding="utf-8") if args.notes else ""
    if args.merge:
        runs = [r for path in args.merge for r in json.loads(path.read_text())]
        args.out.write_text(report(runs, argv, notes), encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    env = dict(kv.split("=", 1) for kv in args.server_env)
    if args.app_dir:
        import classroom

        classroom.ROOT = args.app_dir.resolve()  # Server starts `streamlit run app.py` (or the replicas) there
    if args.sessions is None and args.replicas is None:  # the default matrix: the issue's N values, then scale-out
        plan = [(n, 1) for n in (1, 10, 30)] + [(30, 2)]
    else:
        plan = [(n, r) for r in (args.replicas or [1]) for n in (args.sessions or [1, 10, 30])]
    runs = []
    for n, r in plan:
        budget = args.budget or 60 + n
        print(f"classroom_ws: N={n}, replicas={r}, budget {budget:.0f} s …", flush=True)
        run = asyncio.run(run_once(n, r, budget, args.seed, args.pages, not args.no_warm_up, env, args.label))
        s = summarize(run)
        print(
            f"  load p50 {fmt(s['load_p50'], '.1f')} s, interactions p50/p95 {fmt(s['all_p50'])}/{fmt(s['all_p95'])} "
            f"ms (n={s['all_n']}), own-training p50 {fmt(s['own_p50'])} ms, trained {s['trained']}/{s['started']}, "
            f"RSS {fmt(s['rss_idle'])}→{fmt(s['rss_peak'])} MB, server CPU {fmt(100 * s['server_cpu'])} %, "
            f"client CPU {fmt(100 * s['client_cpu'])} %, errors {len(s['errors'])}",
            flush=True,
        )
        runs.append(run)
    out_json = ROOT / "bench" / "out" / f"{args.out.stem}.json"
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(runs, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(runs, argv, notes), encoding="utf-8")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
