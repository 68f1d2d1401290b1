"""The training-loop contract (engine/train.py) and the shared live-training panel (ui/training.py)."""
import threading
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from engine.train import Progress, linear_decay, run

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
