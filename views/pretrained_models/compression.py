"""ptm-05 / misc-14: the compression lab (?ptm_tab=compression): a tiny MLM teacher, fine-tuning it against a random
start, distilling it into two students, and measuring int8 / bf16 / pruned / distilled variants; then the fp16/bf16
check of the teacher and the hierarchical-softmax section."""

import pandas as pd
import streamlit as st
import torch

from engine.core.corpus import build_vocab, encode
from engine.pretrained import compression as cp
from engine.pretrained import transfer
from ui import resources
from ui.code import show_code
from ui.i18n import t
from ui.training import training_panel
from ui.widgets import bound, chart, download_csv
from views.pretrained_models import hs_latency
from viz import pretrained_models as vz


@st.cache_resource(show_spinner=False)
def _mlm_data():
    corpus = resources.corpus("toy_en")
    vocab = build_vocab(corpus.sentences)
    return corpus, vocab, cp.pack_sentences([ids + 2 for ids in encode(corpus.sentences, vocab)], 12)


def _ft_view(job) -> None:
    """Live view of the fine-tuning run: validation loss of the pretrained and the random start."""
    h = job.history
    fig = vz.lines(
        [p.step for p in h],
        {k: [p.metrics[f"val_{k}"] for p in h] for k in ("pretrained", "random")},
        title=t("pretrained_models.ft_title"),
        x_title=t("common.step"),
        y_title=t("pretrained_models.val_loss"),
    )
    chart(fig, key="ptm_ft_curves", name="pretrained-vs-random-finetuning")
    last = h[-1].metrics if h else {}
    if last:
        st.caption(t("pretrained_models.ft_acc", pre=last["acc_pretrained"], rnd=last["acc_random"]))


def _results(res) -> None:
    """The measured variants: a chart, the table and its CSV."""
    df = pd.DataFrame(
        [
            {
                t("pretrained_models.model"): r.name,
                "KiB": r.bytes / 1024,
                "params": r.params,
                "non-zero": r.nonzero,
                "ms/batch": r.latency_ms,
                "acc": r.accuracy,
            }
            for r in res
        ]
    )
    fig = vz.compression_bars(
        df.iloc[:, 0],
        df["KiB"],
        df["ms/batch"],
        df["acc"],
        title=t("pretrained_models.comp_title"),
        size_title=t("pretrained_models.size"),
        latency_title=t("pretrained_models.latency"),
        accuracy_title=t("pretrained_models.accuracy"),
    )
    chart(fig, key="ptm_comp", name="compression-variants")
    st.dataframe(df, hide_index=True, width="stretch")
    download_csv(df, "compression", key="ptm_comp_csv")
    st.caption(t("pretrained_models.comp_note"))
    show_code(
        cp.prune_magnitude,
        [
            "tests/engine/pretrained/test_compression.py::test_magnitude_pruning_zeroes_exactly_the_smallest",
            "tests/engine/pretrained/test_compression.py::test_int8_is_smaller_and_still_predicts",
        ],
    )


def half_precision_check(model, data: torch.Tensor) -> None:
    """misc-14: 16-bit inference keeps the trained teacher's logits (fp16 within atol 1e-2 of fp32). Computed once
    per teacher model (kept next to it in the session), not on every rerun."""
    done = st.session_state.get("ptm_half")
    if done is None or done[0] is not model:
        batch = cp.eval_batches(data, 0.15, 0, n_batches=1)[0][0]
        gaps = [
            (name, *cp.half_precision_gap(model, batch, dtype))
            for name, dtype in (("fp16", torch.float16), ("bf16", torch.bfloat16))
        ]
        st.session_state["ptm_half"] = done = (model, gaps)
    cols = [
        t("pretrained_models.half_format"),
        t("pretrained_models.half_gap"),
        t("pretrained_models.half_agree"),
        t("pretrained_models.half_close"),
    ]
    rows = [(name, gap, agree, "✓" if gap <= 1e-2 else "✗") for name, gap, agree in done[1]]
    st.markdown(t("pretrained_models.half_title"))
    st.dataframe(pd.DataFrame(rows, columns=cols), hide_index=True, width="stretch")
    st.caption(t("pretrained_models.half_note"))
    show_code(
        cp.half_precision_gap,
        [
            "tests/engine/pretrained/test_hs_latency.py::test_fp16_logits_allclose_fp32",
            "tests/engine/pretrained/test_compression.py::test_fp16_logits_close_to_fp32",
        ],
    )


def _variants(teacher, students, data, sparsity: int) -> None:
    """Measure the teacher's compressed variants (and the students once trained) into the session."""
    with st.spinner(t("pretrained_models.measuring")):
        batches = cp.eval_batches(data, 0.15, 0)
        models = {
            "fp32": teacher.model,
            "int8": cp.quantize_int8(teacher.model),
            "bf16": cp.to_half(teacher.model),
            f"prune {sparsity}%": cp.prune_magnitude(teacher.model, sparsity / 100),
        }
        if students and students.usable:
            models.update(
                {
                    t("pretrained_models.student_small"): students.model["small"],
                    t("pretrained_models.student_shared"): students.model["shared"],
                }
            )
        st.session_state["ptm_results"] = [cp.measure(k, m, batches) for k, m in models.items()]


def render() -> None:  # not a fragment: its training panels hold their own fragments, and a finished run reruns
    st.markdown(t("pretrained_models.comp_intro"))
    corpus, vocab, data = _mlm_data()
    steps = bound(st.slider, t("pretrained_models.steps"), 50, 600, 300, 50, key="ptm_steps")
    cfg = cp.MLMConfig(vocab_size=len(vocab) + 2, steps=steps)
    teacher = training_panel("ptm_teacher", lambda: (m := cp.TinyMLM(cfg), cp.train_mlm(m, data, cfg)), max_seconds=60)
    if teacher and teacher.usable:
        st.markdown(t("pretrained_models.ft_intro"))
        n_lab = bound(st.select_slider, t("pretrained_models.ft_size"), [16, 32, 64, 128, 256, 512], 64, key="ptm_ft_n")
        training_panel(
            "ptm_ft",
            lambda: (
                m := transfer.make_pair(teacher.model),
                transfer.finetune_pair(
                    m, transfer.topic_task(corpus.sentences, vocab.stoi, n_lab, 12), transfer.FinetuneConfig(steps=150)
                ),
            ),
            max_seconds=60,
            live_view=_ft_view,
        )
        show_code(
            transfer.finetune_pair,
            ["tests/engine/pretrained/test_compression.py::test_pretraining_helps_on_unseen_topic_words"],
        )
        st.markdown(t("pretrained_models.kd_intro"))
        c = st.columns(2)
        temp = bound(c[0].slider, t("pretrained_models.temperature"), 1.0, 8.0, 2.0, 0.5, key="ptm_T")
        alpha = bound(c[1].slider, t("pretrained_models.alpha"), 0.0, 1.0, 0.5, 0.1, key="ptm_alpha")
        students = training_panel(
            "ptm_students",
            lambda: (
                s := {k: cp.TinyMLM(cp.student_config(cfg, k)) for k in ("small", "shared")},
                cp.distil(teacher.model, s, data, cfg, cp.DistilConfig(temp, alpha)),
            ),
            max_seconds=60,
        )
        show_code(
            cp.kd_loss,
            [
                "tests/engine/pretrained/test_compression.py::test_kd_loss_closed_form",
                "tests/engine/pretrained/test_compression.py::test_shared_layers_count_once_and_distillation_runs",
            ],
        )
        sparsity = bound(st.slider, t("pretrained_models.sparsity"), 0, 95, 50, 5, key="ptm_sparsity")
        if st.button(t("pretrained_models.measure"), key="ptm_measure", type="primary"):
            _variants(teacher, students, data, sparsity)
        res = st.session_state.get("ptm_results")
        if res:
            _results(res)
            half_precision_check(teacher.model, data)  # misc-14: fp16/bf16 vs fp32
    hs_latency.render()  # misc-14: hierarchical softmax for a large |V|
