"""Lab bert-07-1: ELMo-style (two one-way LSTMs joined at the top) vs BERT-style encoder on neighbour XOR."""

from types import SimpleNamespace

import streamlit as st

from engine.labs.xor import HEADS, XorConfig, XorInputError, dependency_masks, make_models, train_xor
from engine.transformer.tiny_encoder import n_params
from ui.code import show_code
from ui.i18n import t, tl
from ui.training import InputError, training_panel
from ui.widgets import bound, chart, history_frame, qa_panel
from viz.labs import xor as vz

NS = "lab_xor"


def _t(key, **kw):
    return t(f"{NS}.{key}", **kw)


@st.cache_data(show_spinner=False, max_entries=32)
def _structure(seq_len: int, head: str, seed: int):
    """Parameter counts and autograd dependency masks of freshly built models (the wiring, not the weights)."""
    models = make_models(XorConfig(seq_len=seq_len, elmo_head=head, seed=seed))
    masks = {k: v.numpy() for k, v in dependency_masks(models, seq_len, seed).items()}
    return {k: n_params(m) for k, m in models.items()}, masks


def _accuracies(history):
    return [h for h in history if "acc_bert" in h.metrics]


def _live(job):
    evals = _accuracies(job.history)
    if evals:
        st.caption(_t("live", elmo=evals[-1].metrics["acc_elmo"], bert=evals[-1].metrics["acc_bert"]))


def render(corpus: str) -> None:  # the task is synthetic bit strings: the page's corpus is not used
    st.markdown(_t("intro"))
    c = st.columns(4)
    seq_len = int(bound(c[0].number_input, _t("seq_len"), 0, 1000, 8, key="bert_xor_len") or 0)
    head = bound(
        c[1].radio, _t("head"), [0, 1], format_func=lambda i: tl(f"{NS}.heads")[i], key="bert_xor_head", horizontal=True
    )
    steps = bound(c[2].select_slider, _t("steps"), [100, 200, 300, 500, 800], 300, key="bert_xor_steps")
    seed = int(bound(c[3].number_input, _t("seed"), 0, 1_000_000, 0, key="bert_xor_seed") or 0)
    cfg = XorConfig(seq_len=seq_len, elmo_head=HEADS[head or 0], steps=steps, seed=seed)
    try:
        cfg.validate()
    except XorInputError:
        st.warning(_t("err_len"))
        qa_panel(["bert-07-1"])
        return
    names = dict(zip(("elmo", "bert"), tl(f"{NS}.models")))
    counts, masks = _structure(cfg.seq_len, cfg.elmo_head, cfg.seed)
    st.markdown(_t("budget", elmo=counts["elmo"], bert=counts["bert"]))
    labels = [f"x{i}" for i in range(cfg.seq_len)]
    row = cfg.seq_len // 2
    chart(
        vz.mask_grid(
            {_t(f"dep_{k}"): masks[k] for k in ("elmo_fwd", "elmo_bwd", "bert_layer1")},
            labels,
            title=_t("dep_title"),
            x_title=_t("input_j"),
            y_title=_t("output_i"),
            row=row,
        ),
        key="lab_xor_dep",
        name="bert-07-1-dependency",
    )
    st.caption(_t("dep_caption", i=row))
    show_code(dependency_masks, ["tests/engine/labs/test_lab_xor.py::test_dependency_masks_of_the_real_models"])

    def make_run():
        try:
            models = make_models(cfg)
        except XorInputError:
            raise InputError(_t("err_len")) from None
        return SimpleNamespace(models=models, cfg=cfg), train_xor(models, cfg)

    job = training_panel("lab_xor", make_run, max_seconds=30, live_view=_live)
    if job is not None and job.usable and job.finished:
        evals = _accuracies(job.history)
        run_head = job.model.cfg.elmo_head
        chart(
            vz.accuracy_curves(
                [h.step for h in evals],
                {names[k]: [h.metrics[f"acc_{k}"] for h in evals] for k in names},
                title=_t("acc_title", head=tl(f"{NS}.heads")[HEADS.index(run_head)]),
                x_title=t("common.step"),
                y_title=_t("accuracy"),
                chance=_t("chance"),
            ),
            key="lab_xor_acc",
            name="bert-07-1-accuracy",
            data=history_frame(evals, step=t("common.step")),
        )
        last = evals[-1].metrics
        c = st.columns(2)
        for col, k in zip(c, names):
            col.metric(names[k], f"{last[f'acc_{k}']:.1%}")
        if last["acc_bert"] < 0.9:
            st.info(_t("takeaway_short", bert=last["acc_bert"]))
        else:
            key = (
                "takeaway_linear"
                if run_head == "linear"
                else "takeaway_mlp"
                if last["acc_elmo"] >= 0.9
                else "takeaway_mlp_plateau"
            )
            st.success(_t(key, elmo=last["acc_elmo"], bert=last["acc_bert"]))
    st.markdown(_t("honest"))
    show_code(
        train_xor,
        [
            "tests/engine/labs/test_lab_xor.py::test_encoder_solves_xor_and_linear_concatenation_cannot",
            "tests/engine/labs/test_lab_xor.py::test_labels_are_xor_of_both_neighbours",
        ],
    )
    qa_panel(["bert-07-1"])
