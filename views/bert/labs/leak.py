"""Lab bert-10: a bidirectional encoder trained as a next-token LM leaks the label; causal LM and MLM do not."""

from types import SimpleNamespace

import streamlit as st
import torch

from engine.labs.leak import (
    LeakConfig,
    LeakInputError,
    attention_map,
    both_sides_entropy,
    entropy_rate,
    make_models,
    next_token_share,
    sample_chains,
    train_leak,
    transition_matrix,
)
from ui.code import show_code
from ui.i18n import t, tl
from ui.training import InputError, training_panel
from ui.widgets import bound, chart, history_frame, qa_panel
from viz.labs import leak as vz

NS = "lab_leak"


def _t(key, **kw):
    return t(f"{NS}.{key}", **kw)


def _names():
    return dict(zip(("leak", "causal", "mlm"), tl(f"{NS}.models")))


def _live(job):
    evals = [h.metrics for h in job.history if "eval_leak" in h.metrics]
    if evals:
        st.caption(_t("live", **{m: evals[-1][f"eval_{m}"] for m in ("leak", "causal", "mlm")}, h=job.model.h))


def _results(run, history):
    names = _names()
    evals = [h for h in history if "eval_leak" in h.metrics]
    floors = {_t("floor_h"): run.h, _t("floor_both"): run.h_both}
    chart(
        vz.loss_curves(
            [h.step for h in evals],
            {names[m]: [h.metrics[f"eval_{m}"] for h in evals] for m in names},
            floors,
            title=_t("curves_title"),
            x_title=t("common.step"),
            y_title=_t("nats"),
        ),
        key="lab_leak_curves",
        name="bert-10-leak-curves",
        data=history_frame(evals, step=t("common.step")),
    )
    last = evals[-1].metrics
    c = st.columns(4)
    c[0].metric(_t("floor_h"), f"{run.h:.3f}")
    for col, m in zip(c[1:], names):
        col.metric(
            names[m],
            f"{last[f'eval_{m}']:.3f}",
            _t("vs_h", d=last[f"eval_{m}"] - run.h),
            delta_color="off",
            delta_arrow="off",
        )
    with torch.no_grad():
        x = sample_chains(run.p, 64, run.cfg.seq_len, torch.Generator().manual_seed(run.cfg.seed + 7))
        att = attention_map(run.models["leak"], x)
    share = max(next_token_share(a) for a in att)
    chart(
        vz.attention_layers(
            att,
            [_t("layer", n=i + 1) for i in range(len(att))],
            title=_t("att_title"),
            x_title=_t("key_pos"),
            y_title=_t("query_pos"),
        ),
        key="lab_leak_att",
        name="bert-10-leak-attention",
    )
    st.markdown(_t("att_share", share=share, uniform=1 / run.cfg.seq_len))
    if last["eval_leak"] < 0.5 * run.h:
        st.success(
            _t("takeaway", leak=last["eval_leak"], causal=last["eval_causal"], h=run.h, oracle=last["oracle_next"])
        )
    else:
        st.info(_t("takeaway_short"))


def render(corpus: str) -> None:  # the data is a synthetic chain: the page's corpus is not used
    st.markdown(_t("intro"))
    c = st.columns(4)
    states = int(bound(c[0].number_input, _t("states"), 0, 1000, 6, key="bert_leak_states") or 0)
    conc = bound(
        c[1].select_slider, _t("concentration"), [0.1, 0.2, 0.4, 0.7, 1.0, 2.0, 5.0], 0.4, key="bert_leak_conc"
    )
    steps = bound(c[2].select_slider, _t("steps"), [100, 200, 300, 500, 800], 300, key="bert_leak_steps")
    seed = int(bound(c[3].number_input, _t("seed"), 0, 1_000_000, 0, key="bert_leak_seed") or 0)
    cfg = LeakConfig(n_states=states, concentration=conc, steps=steps, seed=seed)
    try:
        cfg.validate()
    except LeakInputError:
        st.warning(_t("err_states"))
        cfg = None
    if cfg is not None:
        p = transition_matrix(cfg.n_states, cfg.concentration, cfg.seed)
        h, h_both = entropy_rate(p), both_sides_entropy(p)
        left, right = st.columns([2, 3])
        chart(
            vz.transition_heatmap(p, title=_t("p_title"), x_title=_t("next_state"), y_title=_t("state")),
            key="lab_leak_p",
            name="bert-10-transition-matrix",
            on=left,
        )
        right.markdown(_t("floors", h=h, h_both=h_both, uniform=float(torch.log(torch.tensor(float(states))))))
        show_code(
            entropy_rate,
            [
                "tests/engine/labs/test_lab_leak.py::test_entropy_rate_matches_brute_force_and_monte_carlo",
                "tests/engine/labs/test_lab_leak.py::test_two_sided_entropy_matches_enumeration",
            ],
        )

        def make_run():
            try:
                models = make_models(cfg)
            except LeakInputError:
                raise InputError(_t("err_states")) from None
            run = SimpleNamespace(models=models, p=p, cfg=cfg, h=h, h_both=h_both)
            return run, train_leak(models, p, cfg)

        job = training_panel("lab_leak", make_run, max_seconds=30, live_view=_live)
        if job is not None and job.usable and job.finished:
            _results(job.model, job.history)
        show_code(
            train_leak,
            [
                "tests/engine/labs/test_lab_leak.py::test_leaking_encoder_beats_the_entropy_rate_and_the_causal_lm_cannot"
            ],
        )
    qa_panel(["bert-10"])
