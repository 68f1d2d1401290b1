"""Step-through training's controls and charts, shared by word2vec's and GloVe's `step` tabs: a stepper
(engine/embeddings/stepper.py) held in st.session_state, the Step / Resume / Pause / Reset buttons, the fragment
that keeps stepping while running, the touched-rows heatmap and the running loss curve."""

from __future__ import annotations

import re
from typing import Callable

import numpy as np
import pandas as pd
import streamlit as st

from engine.core.errors import InputError
from ui.i18n import t
from ui.widgets import chart
from viz import stepper as vz

TICK_S = 0.7  # seconds between two fragment reruns while running
MAX_STEPS = 200_000  # a run pauses by itself here
SPEEDS = [1, 2, 5, 10, 20, 50]  # steps per tick


def md(word: str) -> str:
    """A corpus word as literal markdown text."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|~$])", r"\\\1", word)


def _state(key: str) -> dict | None:
    return st.session_state.get(f"{key}_state")


def _step(key: str) -> None:
    s = _state(key)
    if s is not None:
        _advance(s, 1)


def _advance(s: dict, n: int) -> None:
    try:
        s["stepper"].run(n)
    except InputError as e:  # a diverging step is refused: pause and say why
        s["error"], s["running"] = e.code, False
    if s["stepper"].steps >= MAX_STEPS:
        s["running"] = False


def _set_running(key: str, running: bool) -> None:
    s = _state(key)
    if s is not None:
        s["running"], s["error"] = running, None


def _reset(key: str) -> None:
    st.session_state.pop(f"{key}_state", None)


def panel(key: str, config: tuple, build: Callable[[], object], draw: Callable[[object], None], speed: int) -> None:
    """The stepper for `config` (built again when the settings change, or after Reset), its buttons, then a
    fragment that makes `speed` steps per tick while running and calls `draw(stepper)`."""
    s = _state(key)
    if s is not None and s["config"] != config:
        st.caption(t("stepper.restarted"))
        s = None
    if s is None:
        try:
            stepper = build()
        except InputError as e:
            corpus = e.code in ("empty", "too_few_words", "no_pairs")
            st.error(t("stepper.err_corpus") if corpus else t("stepper.err_settings", setting=e.code))
            return
        s = st.session_state[f"{key}_state"] = {"config": config, "stepper": stepper, "running": False, "error": None}
    b = st.columns([1, 1, 1, 3])
    b[0].button(
        t("stepper.step"),
        key=f"{key}_step",
        on_click=_step,
        args=(key,),
        disabled=s["running"],
        icon=":material/skip_next:",
    )
    if s["running"]:
        b[1].button(
            t("stepper.pause"), key=f"{key}_pause", on_click=_set_running, args=(key, False), icon=":material/pause:"
        )
    else:
        b[1].button(
            t("stepper.resume"),
            key=f"{key}_resume",
            on_click=_set_running,
            args=(key, True),
            icon=":material/play_arrow:",
        )
    b[2].button(t("stepper.reset"), key=f"{key}_reset", on_click=_reset, args=(key,), icon=":material/restart_alt:")
    b[3].caption(t("stepper.running", n=speed, s=TICK_S) if s["running"] else t("stepper.paused"))

    @st.fragment(run_every=TICK_S if s["running"] else None)
    def live() -> None:
        cur = _state(key)
        if cur is None:
            return
        if cur["running"]:
            _advance(cur, speed)
            if not cur["running"]:
                st.rerun()  # paused by itself (diverged, or the step cap): one full rerun stops the ticking
        if cur["error"]:
            st.error(t("stepper.err_diverged"))
        if cur["stepper"].last is None:
            st.info(t("stepper.press_step"))
            return
        draw(cur["stepper"])

    live()


def metrics(rec) -> None:
    """The loss of this step's pair / cell before and after the update."""
    m = st.columns(3)
    m[0].metric(t("stepper.loss_before"), f"{rec.loss_before:.5f}")
    m[1].metric(
        t("stepper.loss_after"),
        f"{rec.loss_after:.5f}",
        f"{rec.loss_after - rec.loss_before:+.2e}",
        delta_color="inverse",
    )
    m[2].metric(t("stepper.lr"), f"{rec.lr:g}")


def rows_chart(blocks: list[tuple[str, dict]], cols: list[str], *, key: str, name: str) -> None:
    """The touched rows before / after / gradient / update. `blocks`: (row label, {"before": (d,), ...}) per row."""
    parts = {p: np.array([b[p] for _, b in blocks]) for p in ("before", "after", "grad", "update")}
    labels = [label for label, _ in blocks]
    fig = vz.rows_heatmap(
        parts["before"],
        parts["after"],
        parts["grad"],
        parts["update"],
        labels,
        cols,
        title=t("stepper.rows_title"),
        panel_titles=[t(f"stepper.panel_{p}") for p in ("before", "after", "grad", "update")],
        x_title=t("stepper.dimension"),
        y_title=t("stepper.row"),
    )
    data = pd.DataFrame(
        [
            {t("stepper.row"): label, t("stepper.dimension"): c, **{p: parts[p][r, k] for p in parts}}
            for r, label in enumerate(labels)
            for k, c in enumerate(cols)
        ]
    )
    chart(fig, key=key, name=name, data=data)


def loss_chart(stepper, *, key: str, name: str) -> None:
    """The running loss: each step's pair / cell before and after its update, and a running mean."""
    hist = np.array(stepper.history, dtype=float).reshape(-1, 3)
    names = [t("stepper.loss_before"), t("stepper.loss_after"), t("stepper.loss_mean")]
    fig = vz.loss_curve(
        hist[:, 0].astype(int),
        hist[:, 1],
        hist[:, 2],
        title=t("stepper.loss_title"),
        x_title=t("stepper.step_axis"),
        y_title=t("stepper.loss_axis"),
        names=names,
    )
    data = pd.DataFrame({t("stepper.step_axis"): hist[:, 0].astype(int), names[0]: hist[:, 1], names[1]: hist[:, 2]})
    chart(fig, key=key, name=name, data=data)
