"""The training-loop contract (engine/core/train.py) and the shared live-training panel (ui/training.py)."""

import os
import threading
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

import ui.training as training
from engine.core.train import Progress, linear_decay, run

APP = str(Path(__file__).parent / "apps" / "train_panel_app.py")


def _gen(n, model, delay=0.0):
    for i in range(n):
        model["w"] += 1
        if delay:
            time.sleep(delay)
        yield Progress(i + 1, n, 1.0 / (i + 1))


def test_run_consumes_generator_and_reports_every_step():
    model, seen = {"w": 0}, []
    res = run(_gen(5, model), on_progress=seen.append)
    assert res.status == "done" and model["w"] == 5 and [p.step for p in seen] == [1, 2, 3, 4, 5]
    assert res.losses == [1.0, 0.5, 1 / 3, 0.25, 0.2]


def test_run_stops_on_event_and_on_time_cap_keeping_partial_model():
    model, stop = {"w": 0}, threading.Event()
    res = run(_gen(1000, model), stop=stop, on_progress=lambda p: p.step == 3 and stop.set())
    assert res.status == "stopped" and model["w"] == 3
    model = {"w": 0}
    res = run(_gen(10_000, model, delay=0.01), max_seconds=0.2)
    assert res.status == "capped" and 0 < model["w"] < 10_000


def test_linear_decay_matches_word2vec_schedule():
    assert linear_decay(0.025, 0, 100) == 0.025
    assert abs(linear_decay(0.025, 50, 100) - 0.0125) < 1e-12
    assert linear_decay(0.025, 100, 100) == 0.025 * 1e-4


def _job(at):
    return at.session_state["job:toy"]


def test_panel_trains_in_background_and_keeps_model_in_session():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    at.button(key="toy:train").click().run()
    job = _job(at).wait(10)
    assert job.status == "done" and job.model["w"] == 20 and len(job.history) == 20
    at.run()
    assert not at.exception
    assert "trained w=20 status=done" in [t.value for t in at.text]
    csv = at.get("download_button")  # the finished run's loss curve comes with its numbers
    assert [b.key for b in csv] == ["toy:loss:csv"]


def test_panel_bad_input_shows_message_and_keeps_previous_model():
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.button(key="toy:train").click().run()
    first = _job(at).wait(10)
    at.number_input[0].set_value(0).run()
    at.button(key="toy:train").click().run()
    assert not at.exception
    assert any("steps must be positive" in e.value for e in at.error)
    assert _job(at) is first and first.model["w"] == 20


def test_panel_failed_run_keeps_showing_the_previous_model():
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.button(key="toy:train").click().run()
    first = _job(at).wait(10)
    at.number_input[1].set_value(5).run()  # the next run raises in its 5th step
    at.button(key="toy:train").click().run()
    failed = _job(at).wait(10)
    at.run()
    assert not at.exception and failed.status == "error" and "failed on purpose" in failed.error
    assert any("failed on purpose" in e.value for e in at.error)  # the reason is shown...
    assert "trained w=20 status=done" in [t.value for t in at.text]  # ...and the earlier model still drives the page
    assert failed.previous is first
    at.number_input[1].set_value(0).run()
    at.button(key="toy:train").click().run()
    _job(at).wait(10)
    at.run()
    assert _job(at).status == "done" and _job(at).previous is None  # a success lets the old model go


def test_panel_stop_button_ends_the_run_early():
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.number_input[0].set_value(100_000).run()
    at.button(key="toy:train").click().run()
    job = _job(at)
    time.sleep(0.3)
    at.button(key="toy:stop").click().run()
    job.wait(10)
    assert job.status == "stopped" and 0 < job.model["w"] < 100_000


def test_loss_curve_keeps_first_and_last_point_when_decimating():
    from viz.curves import loss_curve

    history = [Progress(i + 1, 1000, 1.0 / (i + 1), {"acc": i / 1000}) for i in range(1000)]
    fig = loss_curve(history, metric="acc", max_points=100)
    xs = list(fig.data[0].x)
    assert xs[0] == 1 and xs[-1] == 1000 and len(xs) <= 101
    assert list(fig.data[1].x) == xs and fig.layout.yaxis2.overlaying == "y"


def test_loss_curve_keeps_sparse_evaluations_when_decimating():
    """An evaluation every 25 steps of a 900-step run: decimating the steps to ~400 must not drop them (it did: the
    tiny BERT's accuracy line vanished from the panel)."""
    from viz.curves import loss_curve

    history = [Progress(i + 1, 900, 1.0, {"mlm_acc": i / 900} if (i + 1) % 25 == 0 else {}) for i in range(900)]
    fig = loss_curve(history, metric="mlm_acc", metric_name="MLM accuracy", max_points=400)
    assert list(fig.data[1].x) == list(range(25, 901, 25))
    assert fig.data[1].name == "MLM accuracy" and fig.layout.yaxis2.title.text == "MLM accuracy"


# --- the steps run in a daemon thread of the server process, behind the slot queue ----------------------------


def _pid_gen(n, model):
    for i in range(n):
        model["w"] += 1
        model["pid"] = os.getpid()
        yield Progress(i + 1, n, 1.0 / (i + 1))


def test_job_runs_to_the_end_and_returns_the_trained_model():
    model = {"w": 0}
    job = training.start_job("t", model, _pid_gen(30, model), max_seconds=20).wait(30)
    assert job.status == "done" and job.error is None
    assert job.model["w"] == 30 and [p.step for p in job.history] == list(range(1, 31))
    assert job.model is model and model["pid"] == os.getpid()  # trained in place, in this process


def _slow_gen(n, model, delay=0.01):
    for i in range(n):
        model["w"] += 1
        time.sleep(delay)
        yield Progress(i + 1, n, 1.0)


def test_slot_queue_runs_one_job_at_a_time(monkeypatch):
    """With one slot a second job waits "queued" until the first ends; a queued job that is stopped never runs."""
    one = threading.BoundedSemaphore(1)
    monkeypatch.setattr(training, "_slots", lambda: one)
    first, second, third = {"w": 0}, {"w": 0}, {"w": 0}
    a = training.start_job("a", first, _slow_gen(10_000, first), max_seconds=30)
    b = training.start_job("b", second, _slow_gen(3, second), max_seconds=30)
    c = training.start_job("c", third, _slow_gen(3, third), max_seconds=30)
    deadline = time.time() + 10
    while not a.history and time.time() < deadline:
        time.sleep(0.02)
    assert a.status == "running" and b.status == "queued" and c.status == "queued" and second["w"] == 0
    c.stop.set()
    assert c.wait(5).status == "stopped" and third["w"] == 0 and not c.history
    a.stop.set()
    assert a.wait(10).status == "stopped" and a.usable
    assert b.wait(10).status == "done" and second["w"] == 3


def test_a_job_nobody_polls_stops_by_itself(monkeypatch):
    """Without a Runtime (AppTest, bare scripts) the heartbeat stands in for "the browser tab is still open"."""
    monkeypatch.setattr(training, "HEARTBEAT_S", 0.3)
    model = {"w": 0}
    job = training.start_job("t", model, _slow_gen(100_000, model), max_seconds=30).wait(10)
    assert job.status == "stopped" and 0 < model["w"] < 100_000
