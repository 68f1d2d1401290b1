"""Lab misc-13 / bert-07-5: ALBERT v2 has no dropout; a tiny shared-layer ALBERT trained with and without it."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.labs import dropout as ad
from engine.transformer.param_count import count, layer_params
from ui.code import show_code
from ui.i18n import t, tl
from ui.training import InputError, training_panel
from ui.widgets import bound, chart, qa_panel
from viz.labs import dropout as vz

NS = "lab_dropout"


def _t(key, **kw):
    return t(f"{NS}.{key}", **kw)


@st.cache_data(show_spinner=False)
def _presets():
    s = ad.dropout_settings()
    return {
        v: (s[v]["hidden_dropout_prob"], s[v]["attention_probs_dropout_prob"], *ad.preset_dropouts(v))
        for v in ("v1", "v2")
    }


def _curves(job):
    """Steps and {model name: (train accuracies, validation accuracies)}, named by the dropout each job model had."""
    evals = [h for h in job.history if "val_acc_0" in h.metrics]
    names = [_t("model_name", p=m.albert.config.hidden_dropout_prob) for m in job.model]
    return [h.step for h in evals], {
        n: ([h.metrics[f"train_acc_{i}"] for h in evals], [h.metrics[f"val_acc_{i}"] for h in evals])
        for i, n in enumerate(names)
    }


def _takeaway(job):
    _, curves = _curves(job)
    (tr0, va0), (tr1, va1) = [(float(np.mean(tr[-3:])), float(np.mean(va[-3:]))) for tr, va in curves.values()]
    diff = va1 - va0
    key = "take_helped" if diff > 0.02 else "take_hurt" if diff < -0.02 else "take_same"
    return _t(key, d=abs(diff), v0=va0, v1=va1, g0=tr0 - va0, g1=tr1 - va1)


def render(corpus: str) -> None:
    st.markdown(_t("intro"))
    rows = _presets()
    st.dataframe(
        pd.DataFrame(
            [[f"{h:g}", f"{a:g}", f"{n} / {total}"] for h, a, n, total in rows.values()],
            index=tl(f"{NS}.versions"),
            columns=tl(f"{NS}.cols"),
        ),
        width="stretch",
    )
    st.caption(_t("table_note"))
    show_code(
        ad.preset_dropouts,
        [
            "tests/engine/labs/test_lab_dropout.py::test_v2_preset_has_no_active_dropout_v1_has",
            "tests/engine/labs/test_lab_dropout.py::test_albert_config_defaults_are_v2_without_dropout",
        ],
    )

    st.subheader(_t("train_header"))
    c = st.columns(4)
    p = float(bound(c[0].number_input, _t("p"), 0.0, 0.9, 0.1, 0.05, key="bert_dropout_p") or 0.0)
    shared = bound(c[1].toggle, _t("shared"), True, key="bert_dropout_shared")
    noise = bound(c[2].slider, _t("noise"), 0.0, 0.4, 0.2, 0.05, key="bert_dropout_noise")
    seed = int(bound(c[3].number_input, _t("seed"), 0, 1_000_000, 0, key="bert_dropout_seed") or 0)
    cfg = ad.DropoutLabConfig(shared=shared, dropouts=(0.0, p), label_noise=noise, seed=seed)
    one = layer_params(cfg.hidden, cfg.intermediate)
    st.caption(
        _t(
            "params",
            enc=ad.parameter_parts(cfg)["encoder"],
            one=one,
            L=cfg.layers,
            total=count(cfg.shape()),
            n=cfg.n_train,
            val=cfg.n_val,
        )
    )
    if p <= 0:
        st.warning(_t("err_same"))

    def make_run():
        if p <= 0:
            raise InputError(_t("err_same"))
        try:
            cfg.validate()
        except ValueError as e:
            raise InputError(str(e)) from None
        models = [ad.AlbertClassifier(cfg, q) for q in cfg.dropouts]
        return models, ad.train_pair(models, ad.make_task(cfg), cfg)

    def live(job):
        steps, curves = _curves(job)
        if steps and not job.finished:  # text while training: redrawing a chart every second slowed training 10x
            st.caption(
                " · ".join(
                    f"{n}: {_t('train')} {tr[-1]:.1%}, {_t('val')} {va[-1]:.1%}" for n, (tr, va) in curves.items()
                )
            )
        elif steps:
            chart(
                vz.train_val_curves(
                    steps,
                    curves,
                    train_name=_t("train"),
                    val_name=_t("val"),
                    title=_t("curve_title"),
                    x_title=t("common.step"),
                    y_title=_t("acc"),
                ),
                key=f"{NS}_curves",
                name="misc-13-dropout-curves",
            )

    job = training_panel("lab_dropout", make_run, max_seconds=30, live_view=live, disabled=p <= 0)
    if job is not None and job.finished and job.usable and any("val_acc_0" in h.metrics for h in job.history):
        st.success(_takeaway(job))
        st.caption(_t("noise_note"))
    show_code(
        ad.AlbertClassifier,
        [
            "tests/engine/labs/test_lab_dropout.py::test_parameter_counts_and_sharing",
            "tests/engine/labs/test_lab_dropout.py::test_equal_dropout_keeps_twins_identical_and_training_runs",
        ],
    )
    qa_panel(["misc-13", "bert-07-5"])
