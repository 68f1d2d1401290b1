"""Every Train button of the app hands over a run that can travel to a training process (NLP_ATLAS_TRAIN_MODE=process):
the generator comes from a module-level function of engine/, and the spec and the model pickle. A run that could
not travel would still train (in a thread), so nothing else in the suite would notice.

Each tab of each page (and each BERT lab) is opened, every button whose key ends in ":train" is clicked with
training.start_job replaced by a recorder: nothing trains, the test only inspects what would be sent.
"""

import pickle

import pytest
from conftest import each_tab, nav_pages, open_lab, open_page

import ui.training as training
from engine.core import train_worker as worker
from views.bert.labs import LABS

PAGES = [p for p, _ in nav_pages()]


@pytest.fixture
def recorded(monkeypatch):
    runs: list[tuple[str, object, object]] = []

    def record(key, model, steps, max_seconds, snapshots=False):
        runs.append((key, model, steps))
        return training.Job(key=key, model=model, status="error", error="recorded by the test")

    monkeypatch.setattr(training, "start_job", record)
    return runs


def _click_every_train_button(at) -> None:
    for _ in each_tab(at):
        for key in sorted({b.key for b in at.button if b.key and b.key.endswith(":train") and not b.disabled}):
            at.button(key=key).click().run()


def _check(runs) -> list[str]:
    problems = []
    for key, model, steps in runs:
        try:
            fn, args, kwargs = worker.generator_call(steps)
            assert fn.__module__.startswith("engine."), f"{fn.__module__}.{fn.__qualname__} is not in engine/"
            spec = worker.dumps_spec(model, fn, args, kwargs)
            assert len(spec) < 256 * 2**20, f"a {len(spec) / 2**20:.0f} MB spec"
            back = pickle.loads(spec)
            assert worker.kinds(worker.shared_objects(back[0])) == worker.kinds(worker.shared_objects(model))
            why = worker.sendable(model, worker.shared_objects(model))
            assert why is None, why
        except Exception as exc:  # noqa: BLE001 - collected, reported together
            problems.append(f"{key}: {type(exc).__name__}: {exc}")
        finally:
            getattr(steps, "close", lambda: None)()
    return problems


@pytest.mark.parametrize("page", PAGES)
def test_every_training_of_a_page_can_run_in_a_training_process(page, recorded):
    at = open_page(page)
    _click_every_train_button(at)
    assert not at.exception, [e.value for e in at.exception]
    assert _check(recorded) == []


@pytest.mark.parametrize("lab", [name for name, _ in LABS])
def test_every_bert_lab_training_can_run_in_a_training_process(lab, recorded):
    at = open_lab(lab)
    _click_every_train_button(at)
    assert not at.exception, [e.value for e in at.exception]
    assert _check(recorded) == []


def test_the_recorder_sees_the_main_trainings(recorded):
    """The walk above does reach the Train buttons (a test that clicks nothing would pass vacuously)."""
    seen = set()
    for page in ("views/word2vec/page.py", "views/glove/page.py", "views/transformer/page.py"):
        at = open_page(page)
        _click_every_train_button(at)
        seen |= {key for key, _, _ in recorded}
    assert {"w2v", "glove", "glove_ae", "transformer_seq2seq", "transformer_length"} <= seen, seen
