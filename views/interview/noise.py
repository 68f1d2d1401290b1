"""Tab `noise` (?interview_tab=noise), lab misc-11: noisy labels against label smoothing and class weights.

Not a fragment: it holds a training panel (the panel has its own polling fragment)."""

import streamlit as st

from engine.interview import noise as ln
from ui.code import show_code
from ui.i18n import t
from ui.training import training_panel
from ui.widgets import bound, chart, qa_panel
from viz import interview as vz

CLASSES = ["A", "B", "C"]


def class_bars(values, *, title: str, y_title: str):
    return vz.bars(CLASSES, values, title=title, x_title=t("interview.class"), y_title=y_title, y_range=(0, 1.1))


def render() -> None:
    st.markdown(t("interview.noise_intro"))
    c = st.columns(4)
    noise = bound(c[0].slider, t("interview.noise_rate"), 0.0, 0.8, 0.4, 0.05, key="interview_noise")
    eps = bound(c[1].slider, t("interview.eps"), 0.0, 0.6, 0.0, 0.05, key="interview_eps")
    w2 = bound(c[2].slider, t("interview.weight"), 0.1, 5.0, 1.0, 0.1, key="interview_w2")
    spread = bound(c[3].slider, t("interview.spread"), 0.3, 2.0, 1.0, 0.1, key="interview_spread")
    st.caption(t("interview.suggest", eps=noise / 3, w=1 / max(1 - noise, 1e-3)))
    ncfg = ln.NoiseConfig(noise=noise, eps=eps, weights=(1.0, 1.0, w2), spread=spread)
    data = ln.make_data(ncfg)
    target = ln.smoothed_targets(data.y_true[2:3], eps)[0].tolist()
    fig = class_bars(target, title=t("interview.target_title"), y_title=t("interview.target_prob"))
    chart(fig, key="interview_target", name="interview-noise-target")
    show_code(
        ln.smoothed_cross_entropy,
        [
            "tests/engine/interview/test_misc_labs.py::test_smoothed_ce_matches_torch",
            "tests/engine/interview/test_misc_labs.py::test_smoothed_targets_formula",
        ],
    )
    job = training_panel(
        "interview_noise",
        lambda: (m := ln.Classifier(ncfg), ln.train_classifier(m, data)),
        max_seconds=30,
        metric="acc",
    )
    if job and job.usable:
        ev = ln.evaluate(job.model, data)
        c1, c2 = st.columns(2)
        recall = class_bars(
            ev["recall"], title=t("interview.recall_title", acc=ev["accuracy"]), y_title=t("interview.recall")
        )
        chart(recall, key="interview_recall", name="interview-noise-recall", on=c1)
        rel = vz.reliability(
            ev["bins"],
            title=t("interview.rel_title", ece=ev["ece"]),
            x_title=t("interview.confidence"),
            y_title=t("interview.accuracy"),
            ideal=t("interview.ideal"),
        )
        chart(rel, key="interview_rel", name="interview-noise-reliability", on=c2)
    show_code(
        ln.evaluate,
        [
            "tests/engine/interview/test_misc_labs.py::test_classifier_trains_and_reliability_bins_are_consistent",
            "tests/engine/interview/test_misc_labs.py::test_noise_flips_only_the_noisy_class_at_the_rate",
        ],
    )
    qa_panel(["misc-11"])
