"""bert-01 lab: what sits on top of BERT for each kind of task, and a live multi-label model (size + season) with
one head per label on a shared extractor: per-head and summed losses, and the gradient check."""

import math

import pandas as pd
import streamlit as st

from engine.labs.multilabel import (
    HEADS,
    MultiHeadClassifier,
    MultiLabelConfig,
    MultiLabelInputError,
    gradient_gap,
    make_garments,
    predict,
    train_multilabel,
)
from ui.code import show_code
from ui.i18n import t, tl
from ui.training import training_panel
from ui.widgets import bound, chart, qa_panel
from viz.labs import multilabel as vz

TASKS = ("pair", "multilabel", "translation", "generation")
DIAGRAM_KEYS = (
    "bert",
    "head_pair",
    "head_size",
    "head_season",
    "head_decoder",
    "head_vocab",
    "extra_sum",
    "extra_target",
    "extra_generation",
)


@st.cache_resource(show_spinner=False, max_entries=8)
def _garments(cfg: MultiLabelConfig):
    return make_garments(cfg)  # read-only: deterministic in the frozen config


def _draw_losses(job) -> None:
    hist = [p for p in job.history if "loss_size" in p.metrics]
    if not hist:
        return
    if not job.finished:  # text while training: a chart redrawn every second takes CPU from the training thread
        m = hist[-1].metrics
        st.caption(
            t(
                "lab_multilabel.live",
                step=hist[-1].step,
                size=m["loss_size"],
                season=m["loss_season"],
                total=m["loss_size"] + m["loss_season"],
            )
        )
        return
    series = {t(f"lab_multilabel.head_{k}_short"): [p.metrics[f"loss_{k}"] for p in hist] for k in HEADS}
    total = t("lab_multilabel.total")
    series[total] = [sum(p.metrics[f"loss_{k}"] for k in HEADS) for p in hist]
    steps = [p.step for p in hist]
    chart(
        vz.loss_curves(
            steps,
            series,
            total=total,
            title=t("lab_multilabel.loss_title"),
            x_title=t("common.step"),
            y_title=t("lab_multilabel.val_loss"),
        ),
        key="bert_multilabel_losses",
        name="bert-01-multilabel-losses",
        data=pd.DataFrame({t("common.step"): steps, **series}),
    )


def render(corpus: str) -> None:
    st.markdown(t("lab_multilabel.intro"))
    task = bound(
        st.radio,
        t("lab_multilabel.task"),
        list(range(len(TASKS))),
        horizontal=True,
        key="bert_multilabel_task",
        format_func=lambda i: tl("lab_multilabel.tasks")[i],
    )
    names = {k: t(f"lab_multilabel.{k}") for k in DIAGRAM_KEYS}
    chart(
        vz.head_diagram(TASKS[task or 0], names, title=t("lab_multilabel.diagram_title")),
        key="bert_multilabel_diagram",
        name=f"bert-01-heads-{TASKS[task or 0]}",
    )
    st.caption(t(f"lab_multilabel.note_{TASKS[task or 0]}"))

    st.subheader(t("lab_multilabel.train_title"))
    lang = "zh" if corpus.endswith("_zh") else "en"
    c = st.columns(4)
    steps = bound(c[0].slider, t("lab_multilabel.steps"), 50, 1000, 300, 50, key="bert_multilabel_steps")
    lr = bound(
        c[1].select_slider,
        t("lab_multilabel.lr"),
        [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 1.0],
        3e-3,
        key="bert_multilabel_lr",
    )
    noise = bound(c[2].slider, t("lab_multilabel.noise"), 0.0, 0.5, 0.1, 0.05, key="bert_multilabel_noise")
    seed = bound(c[3].number_input, t("lab_multilabel.seed"), 0, 9999, 0, key="bert_multilabel_seed")
    cfg = MultiLabelConfig(lang=lang, steps=int(steps), lr=float(lr), label_noise=float(noise), seed=int(seed))
    try:
        data = _garments(cfg)
    except MultiLabelInputError as e:
        st.warning(t(f"lab_multilabel.err_{e.code}"))
        return
    season = {k: t(f"lab_multilabel.{k}") for k in HEADS["season"]}
    st.caption(
        t("lab_multilabel.examples")
        + "  \n"
        + "  \n".join(
            f"`{data.decode(x)}` → **{HEADS['size'][y[0]]}**, **{season[HEADS['season'][y[1]]]}**"
            for x, y in zip(data.x_val[:3], data.y_val[:3].tolist())
        )
    )

    def make_run():  # validation already happened in _garments(cfg); this only builds the model
        model = MultiHeadClassifier(len(data.itos), cfg)
        return model, train_multilabel(model, data)

    job = training_panel("lab_multilabel", make_run, max_seconds=30, live_view=_draw_losses)
    if job is not None and job.usable:
        model = job.model
        trained = _garments(model.cfg)
        if not math.isfinite(job.history[-1].loss):
            st.warning(t("lab_multilabel.err_diverged"))
        gap = gradient_gap(model, trained.x_val[:128], trained.y_val[:128])
        last = [p.metrics for p in job.history if "acc_size" in p.metrics][-1]
        st.markdown(t("lab_multilabel.result", gap=gap, acc_size=last["acc_size"], acc_season=last["acc_season"]))
        text = bound(
            st.text_input,
            t("lab_multilabel.try"),
            t(f"lab_multilabel.try_default_{model.cfg.lang}"),
            key="bert_multilabel_text",
            max_chars=2000,
        )
        try:
            probs = predict(model, trained.itos, text)
            size = HEADS["size"][max(range(3), key=probs["size"].__getitem__)]
            season = HEADS["season"][max(range(2), key=probs["season"].__getitem__)]
            st.markdown(
                t(
                    "lab_multilabel.prediction",
                    size=size,
                    p_size=max(probs["size"]),
                    season=t(f"lab_multilabel.{season}"),
                    p_season=max(probs["season"]),
                )
            )
        except MultiLabelInputError as e:
            st.warning(t(f"lab_multilabel.err_{e.code}"))
    show_code(
        gradient_gap, ["tests/engine/labs/test_lab_multilabel.py::test_shared_gradient_is_the_sum_of_head_gradients"]
    )
    show_code(
        MultiHeadClassifier,
        [
            "tests/engine/labs/test_lab_multilabel.py::test_total_loss_is_the_sum_of_per_head_cross_entropies",
            "tests/engine/labs/test_lab_multilabel.py::test_training_lowers_both_heads_and_is_seeded",
        ],
    )
    st.info(t("lab_multilabel.takeaway"))
    qa_panel(["bert-01"])
