"""The shared live-training panel: Train / Stop, a progress bar, a live loss curve and a time cap.

A page hands it a `make_run()` that builds a fresh model and its training generator (see engine/core/train.py):

    def make_run():
        model = Word2Vec(cfg, vocab)                 # may raise InputError: shown, nothing lost
        return model, train_word2vec(model, data, cfg)

    job = training_panel("w2v", make_run, max_seconds=60, live_view=draw_map)
    if job and job.finished:
        ...draw results from job.model...

How it works (see ../shared/notes/streamlit.md): the Job lives in st.session_state (so it is private to this
browser session); the generator runs in a daemon thread of the server process, and a fragment polls the Job every
second while it runs and triggers one full rerun when it ends. A process-wide semaphore lets only a few sessions
train at once (NLP_ATLAS_TRAIN_SLOTS, default 1: threads share one interpreter lock, so more slots do not make them
faster; the rest show "queued"), and a run ends when its session is gone. A room that trains a lot runs several
processes instead: `make serve-replicas N=<cores>` (docs/classroom.md).

The generator must not call `st.*` or a `st.cache_resource` function (load corpora in the script thread and pass
them in), and it must change nothing but the model it was given.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import streamlit as st

from engine.core.errors import InputError  # noqa: F401 - pages raise it from make_run
from engine.core.train import Progress, run
from ui.i18n import t
from ui.widgets import chart, history_frame
from viz.curves import loss_curve

POLL_S = 1.0  # fragment refresh while training: each redraw costs CPU the training thread needs
QUEUED_POLL_S = 3.0  # while waiting for a slot nothing changes on screen: poll slowly (30 waiting students)
HEARTBEAT_S = 60.0  # without a Runtime (AppTest, bare scripts), a job nobody polls for this long stops
# trainings at once per process. Threads share one interpreter lock: with 30 students on 2 cores one slot finished
# as many runs as two, with faster clicks and less memory (bench/results/classroom_ws.md)
TRAIN_SLOTS = int(os.environ.get("NLP_ATLAS_TRAIN_SLOTS", "1"))


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


def _worker(job: Job, steps: Iterable[Progress], max_seconds: float, slots: threading.BoundedSemaphore) -> None:
    while not slots.acquire(timeout=0.2):
        if job.stop.is_set() or not session_alive(job):
            job.status = "stopped"
            return
    try:
        job.status = "running"
        job.started = time.time()
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


def start_job(key: str, model: Any, steps: Iterable[Progress], max_seconds: float) -> Job:
    """Start a run in a daemon thread; it waits for a training slot first (status "queued")."""
    job = Job(key=key, model=model, session_id=_session_id())
    job.thread = threading.Thread(
        target=_worker, args=(job, steps, max_seconds, _slots()), daemon=True, name=f"train-{key}"
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
            new = start_job(key, model, steps, max_seconds)
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
            st.error(t("common.train_error", reason=j.error))

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
