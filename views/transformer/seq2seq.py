"""?transformer_tab=seq2seq: the small Transformer on a toy task (views/transformer/toy_tasks.py), then tf-08: the
fixed-vector seq2seq, a GRU with Bahdanau attention and a small Transformer trained live side by side on a copy
task → accuracy by length, the encoder-noise check, alignment maps (engine/transformer/seq2seq.py, viz/seq2seq.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import torch

from engine.transformer.seq2seq import (
    BOS,
    MODEL_NAMES,
    AttentionGRU,
    LengthConfig,
    LengthModels,
    accuracy_by_length,
    alignments,
    copy_batch,
    encoder_noise_effect,
    latest_curves,
    train_length_models,
)
from ui.code import show_code
from ui.i18n import t
from ui.training import InputError, training_panel
from ui.widgets import bound, chart, matrix_frame
from views.transformer import toy_tasks
from views.transformer.common import K
from viz import seq2seq as vz

LEN = K + "len_"  # this section's widget, chart and session-state keys: transformer_len_*
PANEL = "transformer_length"


def render() -> None:
    """The tab: the toy-task Transformer, then the by-length comparison (two fragments: each reruns alone)."""
    toy_tasks.render()
    by_length()


def symbol(token: int) -> str:
    return "<bos>" if token == BOS else chr(ord("a") + token - 2)


def model_label(name: str) -> str:
    return t(f"transformer.len_m_{name}")


def accuracy_chart(lengths: list[int], curves: dict, n_symbols: int, title: str, key: str) -> None:
    fig = vz.accuracy_by_length(
        lengths,
        {model_label(n): curves[n] for n in MODEL_NAMES},
        chance=1 / n_symbols,
        chance_label=t("transformer.len_chance"),
        title=title,
        x_title=t("transformer.len_length"),
        y_title=t("transformer.len_acc"),
    )
    data = pd.DataFrame({t("transformer.len_length"): lengths, **{model_label(n): curves[n] for n in MODEL_NAMES}})
    chart(fig, key=key, name="seq2seq-vs-attention-by-length", data=data)


def live_view(job) -> None:
    if job.finished:  # the finer curve below takes over
        return
    latest = latest_curves(job.history)
    if latest is None:
        st.caption(t("transformer.len_waiting", n=LengthConfig.eval_every))
        return
    step = next(p.step for p in reversed(job.history) if "acc_seq2seq" in p.metrics)
    accuracy_chart(*latest, LengthConfig.n_symbols, t("transformer.len_live_title", step=step), LEN + "live")


def results(models: LengthModels, seconds: float) -> None:
    cfg = models.cfg
    st.caption(t("transformer.len_trained_on", lo=cfg.min_len, hi=cfg.max_len, steps=cfg.steps, seconds=seconds))
    cached = st.session_state.get(LEN + "curves")
    if cached is None or cached[0] is not models:  # ~1 s of forward passes: once per trained model
        stride = max(1, (cfg.max_len - cfg.min_len) // 11)
        lengths = list(range(cfg.min_len, cfg.max_len + 1, stride))
        lengths += [cfg.max_len] if lengths[-1] != cfg.max_len else []
        src, tgt_in, _ = copy_batch(cfg.max_len, 8, cfg.n_symbols, torch.Generator().manual_seed(cfg.seed))
        noise = {n: encoder_noise_effect(m, src, tgt_in, seed=cfg.seed) for n, m in models.models.items()}
        cached = (models, lengths, accuracy_by_length(models, lengths), noise)
        st.session_state[LEN + "curves"] = cached
    _, lengths, curves, noise = cached
    accuracy_chart(lengths, curves, cfg.n_symbols, t("transformer.len_acc_title"), LEN + "acc")

    st.markdown(f"**{t('transformer.len_noise_title')}**")
    counts = models.param_counts()
    st.dataframe(
        pd.DataFrame(
            {
                t("transformer.len_model"): [model_label(n) for n in MODEL_NAMES],
                t("transformer.len_params"): [f"{counts[n]:,}" for n in MODEL_NAMES],
                t("transformer.len_noise"): [f"{noise[n]:.4f}" for n in MODEL_NAMES],
            }
        ),
        hide_index=True,
    )
    st.caption(t("transformer.len_noise_caption"))
    show_code(
        encoder_noise_effect,
        ["tests/engine/transformer/test_seq2seq.py::test_only_attention_models_read_the_early_encoder_states"],
    )

    length = (
        st.slider(t("transformer.len_example"), cfg.min_len, cfg.max_len, min(cfg.max_len, 20), key=LEN + "example")
        if cfg.max_len > cfg.min_len
        else cfg.max_len
    )
    ex = alignments(models, length)
    src_names = [symbol(x) for x in ex["src"]]
    rows = {t("transformer.len_row_source"): src_names}
    for n in MODEL_NAMES:
        rows[model_label(n)] = [
            s if p == x else f"{s}✗" for s, p, x in zip((symbol(p) for p in ex["pred"][n]), ex["pred"][n], ex["src"])
        ]
    st.markdown(f"**{t('transformer.len_pred_title')}**")
    st.dataframe(pd.DataFrame(rows, index=range(1, length + 1)).T, hide_index=False)
    out_names = src_names  # copying: output step t should write source symbol t
    cols = st.columns(2)
    for col, n in zip(cols, ("attn", "transformer")):
        with col:
            chart(
                vz.alignment(
                    ex["attn"][n],
                    out_names,
                    src_names,
                    title=t("transformer.len_align_title", model=model_label(n)),
                    x_title=t("transformer.len_source"),
                    y_title=t("transformer.len_output"),
                ),
                key=LEN + f"align_{n}",
                name=f"alignment-{n}",
                data=matrix_frame(ex["attn"][n], out_names, src_names, corner=t("transformer.len_output")),
            )


@st.fragment  # its widgets rerun this section only
def by_length() -> None:
    st.subheader(t("transformer.len_title"))
    st.markdown(t("transformer.len_intro"))
    c1, c2, c3 = st.columns(3)
    max_len = bound(c1.slider, t("transformer.len_max"), 5, 60, 30, key=LEN + "max")
    steps = bound(c2.number_input, t("transformer.len_steps"), 10, 5000, 800, step=50, key=LEN + "steps")
    seed = bound(c3.number_input, t("common.seed"), 0, 10_000, 0, key=LEN + "seed")

    def make_run():
        try:
            models = LengthModels(LengthConfig(min_len=5, max_len=int(max_len), steps=int(steps), seed=int(seed)))
        except (ValueError, TypeError) as exc:
            raise InputError(t("transformer.len_err", reason=str(exc))) from exc
        return models, train_length_models(models)

    job = training_panel(PANEL, make_run, max_seconds=60, live_view=live_view)
    show_code(
        AttentionGRU,
        [
            "tests/engine/transformer/test_seq2seq.py::test_bahdanau_first_step_by_hand",
            "tests/engine/transformer/test_seq2seq.py::test_shapes_and_alignment_rows_sum_to_one",
        ],
    )
    if job and job.usable and isinstance(job.model, LengthModels):
        results(job.model, job.seconds)
