"""The shared live-training panel: Train / Stop, a progress bar, a live loss curve and a time cap.

A page hands it a `make_run()` that builds a fresh model and its training generator (see engine/core/train.py):

    def make_run():
        model = Word2Vec(cfg, vocab)                 # may raise InputError: shown, nothing lost
        return model, train_word2vec(model, data, cfg)

    job = training_panel("w2v", make_run, max_seconds=60, live_view=draw_map)
    if job and job.finished:
        ...draw results from job.model...

How it works (see ../shared/notes/streamlit.md): the Job lives in st.session_state (so it is private to this
browser session); a fragment polls it every second while it runs and triggers one full rerun when it ends. A
process-wide semaphore lets only a few sessions train at once (the rest show "queued"), and a run ends when its
session is gone.

Where the steps run (NLP_ATLAS_TRAIN_MODE):
- "thread" (default): the generator runs in the daemon thread itself, sharing the server's interpreter lock; one
  training at a time per process (NLP_ATLAS_TRAIN_SLOTS, default 1).
- "process" (Linux / macOS, opt-in): the thread hands the run to a child of a fork server started with the app
  (engine/core/train_worker.py): the model and the call that made the generator travel pickled, the child trains under
  a lower CPU priority (nice NLP_ATLAS_TRAIN_NICE, 10) with a memory cap, and sends back batches of Progress and,
  at the end (and about once a second while a live view is drawn), the model; the thread swaps it into job.model.
  Two trainings at a time by default, truly in parallel with the server. A run that cannot travel (a local
  generator function, an unpicklable model) trains in the thread instead. Costs the fork server's memory (~350 MB:
  torch and the engine imported once); see docs/classroom.md.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import streamlit as st

from engine.core import train_worker as worker
from engine.core.errors import InputError  # noqa: F401 - pages raise it from make_run
from engine.core.train import Progress, run
from ui.i18n import t
from ui.widgets import chart, history_frame
from viz.curves import loss_curve

POLL_S = 1.0  # fragment refresh while training: each redraw costs CPU the training thread needs
QUEUED_POLL_S = 3.0  # while waiting for a slot nothing changes on screen: poll slowly (30 waiting students)
HEARTBEAT_S = 60.0  # without a Runtime (AppTest, bare scripts), a job nobody polls for this long stops
_PROCESSES = "forkserver" in multiprocessing.get_all_start_methods()  # Linux, macOS
TRAIN_MODE = os.environ.get("NLP_ATLAS_TRAIN_MODE", "thread")
# trainings at once per process. Threads share one interpreter lock: with 30 students on 2 cores one slot finished
# as many runs as two, with faster clicks and less memory (bench/results/classroom_ws_final2.md)
TRAIN_SLOTS = int(os.environ.get("NLP_ATLAS_TRAIN_SLOTS", "1" if TRAIN_MODE == "thread" else "2"))
TRAIN_NICE = int(os.environ.get("NLP_ATLAS_TRAIN_NICE", "10"))
KILL_AFTER_S = 15.0  # a training process that has not ended this long after Stop or its time cap is killed
TRAIN_MEM_MB = int(os.environ.get("NLP_ATLAS_TRAIN_MEM_MB", "1024"))  # a child's memory beyond its inputs


@dataclass
class Job:
    key: str
    model: Any
    stop: threading.Event = field(default_factory=threading.Event)
    history: list[Progress] = field(default_factory=list)
    status: str = "queued"  # queued | running | done | stopped | capped | error
    error: str | None = None
    started: float = field(default_factory=time.time)
    seconds: float = 0.0
    last_poll: float = field(default_factory=time.time)
    thread: threading.Thread | None = None
    session_id: str | None = None
    previous: "Job | None" = None  # the last usable run, kept until this one succeeds (a failed run loses nothing)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "stopped", "capped", "error")

    @property
    def usable(self) -> bool:
        """Trained (fully or partly) without an error: results can be drawn from the model."""
        return self.status in ("done", "stopped", "capped") and bool(self.history)

    def wait(self, timeout: float = 30.0) -> "Job":
        if self.thread is not None:
            self.thread.join(timeout)
        return self


@st.cache_resource
def _slots() -> threading.BoundedSemaphore:
    # Shared by every session of this server process: the fair-share gate for CPU-heavy training.
    return threading.BoundedSemaphore(TRAIN_SLOTS)


def _session_id() -> str | None:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        return ctx.session_id if ctx else None
    except Exception:  # noqa: BLE001 - internal API, absent in some contexts
        return None


def session_alive(job: Job) -> bool:
    """False once the browser tab that started the job is gone (internal API, guarded; heartbeat fallback)."""
    try:
        from streamlit.runtime import Runtime

        if Runtime.exists() and job.session_id is not None:
            return Runtime.instance().is_active_session(job.session_id)
    except Exception:  # noqa: BLE001
        pass
    return time.time() - job.last_poll < HEARTBEAT_S


def _worker(
    job: Job, steps: Iterable[Progress], max_seconds: float, slots: threading.BoundedSemaphore, snapshots: bool = False
) -> None:
    while not slots.acquire(timeout=0.2):
        if job.stop.is_set() or not session_alive(job):
            job.status = "stopped"
            return
    try:
        job.status = "running"
        job.started = time.time()
        if not (TRAIN_MODE == "process" and _PROCESSES and _run_in_child(job, steps, max_seconds, snapshots)):
            _run_in_thread(job, steps, max_seconds)
    except Exception as exc:  # noqa: BLE001 - shown on the page instead of killing the thread silently
        job.error = f"{type(exc).__name__}: {exc}"
        job.status = "error"
        traceback.print_exc()
    finally:
        slots.release()


def _run_in_thread(job: Job, steps: Iterable[Progress], max_seconds: float) -> None:
    import torch

    torch.set_num_threads(1)  # k concurrent jobs must not fight over 2 cores

    def on_progress(p: Progress) -> None:
        job.history.append(p)
        job.seconds = time.time() - job.started
        if not session_alive(job):
            job.stop.set()

    result = run(steps, stop=job.stop, max_seconds=max_seconds, on_progress=on_progress)
    job.seconds = result.seconds
    job.status = result.status


def _context():
    """The fork server's context; the fork server itself starts (once) with the first training, or at import."""
    ctx = multiprocessing.get_context("forkserver")
    with _CTX_LOCK:
        if not _CTX:
            import pkgutil

            import engine

            # imported once in the fork server, shared copy-on-write by every training process. "__main__" (the
            # streamlit script, when started by path): imported there once instead of in every child
            ctx.set_forkserver_preload(
                [
                    "__main__",
                    "engine.core.train_worker",
                    "torch",
                    "numpy",
                    "scipy.sparse",
                    *(f"engine.{m.name}" for m in pkgutil.iter_modules(engine.__path__)),
                ]
            )
            _CTX.append(ctx)
    return ctx


_CTX: list = []
_CTX_LOCK = threading.Lock()


def start_worker_server() -> None:
    """Start the fork server in the background (imports take seconds), so the first training does not wait."""
    if TRAIN_MODE == "process" and _PROCESSES:
        from multiprocessing import forkserver

        _context()
        threading.Thread(target=forkserver.ensure_running, daemon=True, name="nlp-atlas-forkserver").start()


def _run_in_child(job: Job, steps: Iterable[Progress], max_seconds: float, snapshots: bool) -> bool:
    """Train in a child of the fork server; False (nothing started, `steps` untouched) if the run cannot go there."""
    shared = worker.shared_objects(job.model)
    try:
        spec = worker.dumps_spec(job.model, *worker.generator_call(steps))
        why = worker.sendable(job.model, shared)
    except Exception as exc:  # noqa: BLE001 - pickling can fail in many ways
        why = f"{type(exc).__name__}: {exc}"
    if why is None:
        ctx = _context()
        here, there = ctx.Pipe(duplex=True)
        proc = ctx.Process(
            target=worker.child_main,
            args=(there, max_seconds, snapshots, TRAIN_NICE, TRAIN_MEM_MB),
            daemon=True,
            name=f"train-{job.key}",
        )
        proc.start()
        there.close()
        why = _follow(job, here, proc, spec, shared, max_seconds)
    if why is not None:
        print(
            f"nlp-atlas: training {job.key!r} in a thread: it cannot run in a training process ({why})", file=sys.stderr
        )
        return False
    close = getattr(steps, "close", None)
    if close is not None:
        close()  # this process's generator was never run
    return True


def _follow(job: Job, here, proc, spec: bytes, shared: list, max_seconds: float) -> str | None:
    """Send the spec, then relay the child's reports into `job` until it ends. A reason (str) if the child refused
    the run before its first step (the caller trains in a thread instead), else None."""
    ended = hung = False
    refused = None
    try:
        here.send_bytes(spec)
        told = 0.0
        while not ended:
            now = time.time()
            if not told and (job.stop.is_set() or not session_alive(job)):
                job.stop.set()
                told = now
                try:
                    here.send_bytes(b"stop")
                except OSError:
                    pass
            # a step that never ends must not hold a slot forever
            if (told and now - told > KILL_AFTER_S) or now - job.started > max_seconds + KILL_AFTER_S:
                proc.kill()
                hung = True
                break
            if not here.poll(0.2):
                if not proc.is_alive() and not here.poll():
                    break
                continue
            try:
                data = here.recv_bytes()
            except EOFError:
                break
            if data[:1] != b"\x80":  # not a pickle: cannot happen, ignore
                continue
            kind, payload = worker.loads(data, shared)
            if kind == "ready":
                if payload != worker.kinds(shared):
                    refused = "its model's parts came out in another order"
                    break
            elif kind == "refused":
                refused = payload
                break
            elif kind == "progress":
                job.history.extend(payload)
                job.seconds = time.time() - job.started
            elif kind == "model":
                job.model = payload
            elif kind == "end":
                status, seconds, error = payload
                job.seconds = seconds or (time.time() - job.started)
                job.error = error
                job.status = status
                ended = True
    except OSError as exc:  # the child died before reading the spec
        refused = refused or f"{type(exc).__name__}: {exc}"
    finally:
        here.close()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join(1)
    if refused is not None and not job.history:
        return refused
    if hung:
        job.error = f"one training step did not finish within {KILL_AFTER_S:.0f} s of the limit: stopped"
        job.status = "error"
    elif not ended:
        job.error = f"the training process ended unexpectedly (exit code {proc.exitcode})"
        job.status = "error"
    return None


def start_job(key: str, model: Any, steps: Iterable[Progress], max_seconds: float, snapshots: bool = False) -> Job:
    """Start a run; `snapshots`: a live view reads job.model while it trains, so a child process sends copies."""
    job = Job(key=key, model=model, session_id=_session_id())
    job.thread = threading.Thread(
        target=_worker, args=(job, steps, max_seconds, _slots(), snapshots), daemon=True, name=f"train-{key}"
    )
    job.thread.start()
    return job


def get_job(key: str) -> Job | None:
    return st.session_state.get(f"job:{key}")


def training_panel(
    key: str,
    make_run: Callable[[], tuple[Any, Iterable[Progress]]],
    *,
    max_seconds: float = 60.0,
    live_view: Callable[[Job], None] | None = None,
    metric: str | None = None,
    disabled: bool = False,
) -> Job | None:
    """Draw the panel; return this session's latest job for `key` (running or finished) or None."""
    state_key = f"job:{key}"
    job: Job | None = st.session_state.get(state_key)
    running = job is not None and not job.finished

    c1, c2, c3 = st.columns([1, 1, 3])
    train = c1.button(t("common.train"), key=f"{key}:train", type="primary", disabled=running or disabled)
    if c2.button(t("common.stop"), key=f"{key}:stop", disabled=not running) and job is not None:
        job.stop.set()
    c3.caption(t("common.cap", seconds=int(max_seconds)))

    if train:
        try:
            model, steps = make_run()
        except ValueError as exc:  # InputError, or an engine's coded input error
            # Bad input: say why, keep whatever this session trained before.
            st.error(t("common.bad_input", reason=str(exc)))
        else:  # Train is disabled while a job runs, so no earlier job is still running here
            new = start_job(key, model, steps, max_seconds, live_view is not None)
            new.previous = job if job is not None and job.usable else (job.previous if job is not None else None)
            if new.previous is not None:
                new.previous.previous = None
            st.session_state[state_key] = new
            st.rerun()  # redraw the buttons: Train disabled, Stop enabled

    if job is None:
        st.info(t("common.not_trained"))
        return None

    phase = job.status

    @st.fragment(run_every=(POLL_S if phase == "running" else QUEUED_POLL_S) if running else None)
    def _live() -> None:
        j: Job = st.session_state[state_key]
        if running and phase == "queued" and j.status == "running":
            st.rerun()  # it got a slot: one full rerun switches to the faster live refresh
        j.last_poll = time.time()
        last = j.history[-1] if j.history else None
        # a finished run's total is its last step: some loops only estimate it (word2vec's later epochs are
        # sub-sampled afresh and can be a batch shorter), and "74 / 75 steps · done" reads like a bug
        total = (last.step if j.status == "done" else max(last.total, 1)) if last else 1
        frac = (last.step / total) if last else 0.0
        label = t(f"common.status_{j.status}")
        if last is not None:
            label += " · " + t("common.progress", step=last.step, total=total, loss=last.loss, seconds=j.seconds)
        st.progress(min(max(frac, 0.0), 1.0), text=label)
        if j.error:
            oom = "MemoryError" in j.error or "allocate" in j.error
            st.error(t("common.train_oom", mb=TRAIN_MEM_MB) if oom else t("common.train_error", reason=j.error))

        if j.history:  # the run's numbers as CSV once it ends (a download button per poll would be churn)
            metric_name = t(f"common.metric_{metric}") if metric else None
            if metric_name == f"common.metric_{metric}":  # no label for this metric: show its key
                metric_name = metric
            chart(
                loss_curve(
                    j.history,
                    metric=metric,
                    metric_name=metric_name,
                    title=t("common.loss_curve"),
                    x_title=t("common.step"),
                    y_title=t("common.loss"),
                ),
                key=f"{key}:loss",
                name=f"{key}-loss",
                data=history_frame(j.history, step=t("common.step"), loss=t("common.loss")) if j.finished else None,
            )
        if live_view is not None and j.model is not None:
            live_view(j)
        if running and j.finished:
            st.rerun()  # one full rerun so polling stops and the results below are drawn

    _live()
    if job.usable:
        job.previous = None  # succeeded: the older model is no longer needed
    elif job.finished and job.previous is not None:  # failed, or stopped before its first step
        st.caption(t("common.previous_kept"))
        return job.previous  # the page keeps drawing what was trained before
    return job


start_worker_server()  # with NLP_ATLAS_TRAIN_MODE=process: the fork server starts with the first page that trains
