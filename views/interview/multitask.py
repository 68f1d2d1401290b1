"""Tab `multitask` (?interview_tab=multitask), lab misc-08: hard vs soft parameter sharing between two related tasks.

Not a fragment: it holds a training panel (the panel has its own polling fragment)."""

import streamlit as st

from engine.interview import multitask as mt
from ui.code import show_code
from ui.i18n import t
from ui.training import training_panel
from ui.widgets import bound, chart, qa_panel
from viz import interview as vz


def live_view(job) -> None:
    h = job.history
    fig = vz.multitask_curves(
        [p.step for p in h],
        [p.metrics["val_A"] for p in h],
        [p.metrics["val_B"] for p in h],
        [p.metrics["distance"] for p in h],
        title=t("interview.mtl_title"),
        x_title=t("common.step"),
        loss_title=t("interview.val_loss"),
        distance_title="‖θA − θB‖",
        task_a=t("interview.task_a"),
        task_b=t("interview.task_b"),
    )
    chart(fig, key="interview_mtl_curves", name="interview-multitask-curves")


def render() -> None:
    st.markdown(t("interview.mtl_intro"))
    c = st.columns(4)
    mode = bound(c[0].radio, t("interview.mtl_mode"), list(mt.MODES), key="interview_mtl_mode", horizontal=True)
    lam = bound(c[1].select_slider, "λ", [0.0, 0.001, 0.01, 0.1, 1.0, 10.0], 0.1, key="interview_mtl_lam")
    n_train = bound(c[2].slider, t("interview.mtl_n"), 4, 200, 24, key="interview_mtl_n")
    rel = bound(c[3].slider, t("interview.mtl_rel"), -1.0, 1.0, 0.9, 0.1, key="interview_mtl_rel")
    cfg = mt.MultiTaskConfig(mode=mode, lam=lam, n_train=n_train, relatedness=rel)
    training_panel(
        "interview_mtl",
        lambda: (m := mt.MultiTaskModel(cfg), mt.train_multitask(m, mt.make_tasks(cfg))),
        max_seconds=30,
        live_view=live_view,
    )
    show_code(
        mt.MultiTaskModel,
        [
            "tests/engine/interview/test_misc_labs.py::test_soft_lambda_zero_equals_independent_bitwise",
            "tests/engine/interview/test_misc_labs.py::test_hard_sharing_shares_the_trunk",
            "tests/engine/interview/test_misc_labs.py::test_distance_decreases_with_lambda",
        ],
    )
    qa_panel(["misc-08"])
