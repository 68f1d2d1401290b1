"""The training-loop contract (engine/core/train.py) and the shared live-training panel (ui/training.py)."""

import threading
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

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


def test_child_memory_cap_turns_a_huge_allocation_into_an_error(monkeypatch):
    monkeypatch.setattr(training, "TRAIN_MODE", "process")
    monkeypatch.setattr(training, "TRAIN_MEM_MB", 200)
    model = {}
    job = training.start_job("t", model, _greedy(model), max_seconds=20).wait(30)
    assert job.status == "error" and "MemoryError" in job.error


def _greedy(model):
    import numpy as np

    model["big"] = np.ones(2**29)  # 4 GiB
    yield Progress(1, 1, 0.0)


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


# --- where the steps run: a thread, or a child of the fork server (NLP_ATLAS_TRAIN_MODE=process) ---------------

import os  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402

import ui.training as training  # noqa: E402
from engine.core import train_worker as worker  # noqa: E402

# A child gets the run as data: the generator functions below are module-level so it can make them again.


def _pid_gen(n, model, delay=0.0, crash_at=None, raise_at=None):
    for i in range(n):
        model["w"] += 1
        model["pid"] = os.getpid()
        if crash_at == i:
            os._exit(3)
        if raise_at == i:
            raise RuntimeError("boom in step")
        if delay:
            time.sleep(delay)
        yield Progress(i + 1, n, 1.0 / (i + 1))


@pytest.mark.parametrize("mode", ["process", "thread"])
def test_job_runs_to_the_end_and_returns_the_trained_model(monkeypatch, mode):
    monkeypatch.setattr(training, "TRAIN_MODE", mode)
    model = {"w": 0}
    job = training.start_job("t", model, _pid_gen(30, model), max_seconds=20).wait(30)
    assert job.status == "done" and job.error is None
    assert job.model["w"] == 30 and [p.step for p in job.history] == list(range(1, 31))
    if mode == "process":  # trained elsewhere: the server's copy is untouched, the result came back pickled
        assert training._PROCESSES and job.model["pid"] != os.getpid() and model["w"] == 0
    else:
        assert job.model is model and model["pid"] == os.getpid()


def test_child_process_stop_snapshots_crash_and_error(monkeypatch):
    monkeypatch.setattr(training, "TRAIN_MODE", "process")
    model = {"w": 0}
    job = training.start_job("t", model, _pid_gen(10_000, model, delay=0.01), max_seconds=20, snapshots=True)
    deadline = time.time() + 30
    while (job.model["w"] < 5 or len(job.history) < 5) and time.time() < deadline:
        time.sleep(0.05)
    assert job.status == "running" and 0 < job.model["w"] < 10_000  # a live snapshot arrived while it runs
    job.stop.set()
    job.wait(30)
    assert job.status == "stopped" and 5 <= job.model["w"] < 10_000 and job.model["w"] == job.history[-1].step

    model = {"w": 0}
    job = training.start_job("t", model, _pid_gen(100, model, crash_at=2), max_seconds=20).wait(30)
    assert job.status == "error" and "exit code 3" in job.error and not job.usable

    model = {"w": 0}
    job = training.start_job("t", model, _pid_gen(100, model, raise_at=4), max_seconds=20).wait(30)
    assert job.status == "error" and "RuntimeError: boom in step" in job.error

    model = {"w": 0}
    job = training.start_job("t", model, _pid_gen(10_000, model, delay=0.01), max_seconds=0.3).wait(30)
    assert job.status == "capped" and 0 < job.model["w"] < 10_000


def _stuck(model):
    yield Progress(1, 2, 1.0)
    time.sleep(3600)  # one step that never returns (ignores Stop)
    yield Progress(2, 2, 0.5)


def test_a_step_that_never_ends_is_killed_after_stop(monkeypatch):
    monkeypatch.setattr(training, "TRAIN_MODE", "process")
    monkeypatch.setattr(training, "KILL_AFTER_S", 1.0)
    model = {}
    job = training.start_job("t", model, _stuck(model), max_seconds=60)
    deadline = time.time() + 30
    while not job.history and time.time() < deadline:
        time.sleep(0.05)
    assert job.history and job.status == "running"
    t0 = time.time()
    job.stop.set()
    job.wait(30)
    assert job.status == "error" and "did not finish" in job.error and time.time() - t0 < 10


def _probe(model):
    import gc

    model["frozen"] = gc.get_freeze_count()
    model["pid"], model["ppid"] = os.getpid(), os.getppid()
    yield Progress(1, 1, 1.0)


def test_child_comes_from_the_fork_server_and_freezes_what_it_shares(monkeypatch):
    monkeypatch.setattr(training, "TRAIN_MODE", "process")
    model = {}
    job = training.start_job("t", model, _probe(model), max_seconds=20).wait(30)
    assert job.status == "done", job.error
    assert job.model["ppid"] != os.getpid()  # not a fork of the server: a child of the fork server
    assert job.model["frozen"] > 1000  # the fork server's heap (torch, the engine) is never collected in a child


def _closure_gen(n):
    def inner():
        yield from range(n)

    for i in inner():
        yield Progress(i + 1, n, 1.0)


def test_what_cannot_travel_trains_in_a_thread(monkeypatch, capfd):
    monkeypatch.setattr(training, "TRAIN_MODE", "process")

    def local(model):  # a local function cannot be made again in another process
        model["pid"] = os.getpid()
        yield Progress(1, 1, 1.0)

    model = {}
    job = training.start_job("t", model, local(model), max_seconds=20).wait(30)
    assert job.status == "done" and job.model["pid"] == os.getpid() and "in a thread" in capfd.readouterr().err

    model = {"w": 0, "lock": threading.Lock()}  # the model itself cannot be pickled
    job = training.start_job("t", model, _pid_gen(3, model), max_seconds=20).wait(30)
    assert job.status == "done" and job.model["pid"] == os.getpid()


def test_generator_call_rebuilds_the_call():
    def f():
        return _pid_gen(5, {"w": 0}, delay=0.5, raise_at=2)

    fn, args, kwargs = worker.generator_call(f())
    assert fn is _pid_gen and args == (5, {"w": 0}, 0.5, None, 2) and kwargs == {}
    g = _closure_gen(3)
    assert worker.generator_call(g)[1] == (3,)
    next(g)
    with pytest.raises(ValueError, match="started"):
        worker.generator_call(g)
    with pytest.raises(ValueError, match="not a generator"):
        worker.generator_call(iter([Progress(1, 1, 1.0)]))


@dataclass(frozen=True)
class _Data:  # stands for a corpus / counts object shared by every session
    x: object


def _train_bert(m):
    import torch

    opt = torch.optim.SGD(m["bert"].parameters(), lr=0.5)
    for i in range(3):
        loss = m["bert"](m["data"].x).last_hidden_state.pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        yield Progress(i + 1, 3, float(loss))
    m["bert"].eval()
    m["pid"] = os.getpid()
    m["n_hidden"] = len(m["bert"](m["data"].x, output_hidden_states=True).hidden_states)  # transformers works there


def test_process_mode_sends_modules_as_state_and_frozen_data_by_reference(monkeypatch):
    """A transformers model that already ran with hidden states (its output hooks cannot be pickled) goes to the
    child without them and comes back as its state, loaded into the very module the server holds; a frozen
    dataclass the run only reads is not copied back; eval() in the run reaches the server."""
    import torch
    from transformers import BertConfig, BertModel

    monkeypatch.setattr(training, "TRAIN_MODE", "process")
    cfg = BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)
    model = {"bert": BertModel(cfg), "data": _Data(torch.randint(0, 30, (4, 6)))}
    bert, data = model["bert"], model["data"]
    with torch.no_grad():
        bert(data.x, output_hidden_states=True)  # installs transformers' output-capturing hooks
    before = {k: v.clone() for k, v in bert.state_dict().items()}
    job = training.start_job("t", model, _train_bert(model), max_seconds=30).wait(60)
    assert job.status == "done", job.error
    assert job.model["pid"] != os.getpid()  # it did train in a child (no fallback to a thread)
    assert job.model["n_hidden"] == 2
    assert job.model["bert"] is bert and job.model["data"] is data  # same objects: state loaded in place / by reference
    assert not bert.training  # the run's eval() came back
    changed = [k for k, v in bert.state_dict().items() if not torch.equal(v, before[k])]
    assert changed  # the server's module holds the trained weights
    with torch.no_grad():
        out = bert(data.x, output_hidden_states=True)  # its hooks still work
    assert len(out.hidden_states) == 2
