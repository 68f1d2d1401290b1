"""tf-02, tf-04, tf-06, tf-08: a small seq2seq Transformer trained live on a toy digit task, then greedy decoding
step by step, its cross- and self-attention, and what pruning each head costs (the first section of
?transformer_tab=seq2seq)."""

import pandas as pd
import streamlit as st
import torch

from engine.transformer.model import (
    Seq2SeqTransformer,
    TrainConfig,
    TransformerConfig,
    greedy_decode,
    head_ablation,
    train_seq2seq,
)
from engine.transformer.toy_tasks import BOS, EOS, TASKS, ToyTask, decode_digits, encode_digits, shift_right, token_name
from ui.code import show_code
from ui.i18n import t, tl
from ui.training import InputError, training_panel
from ui.widgets import bound, chart, qa_panel
from views.transformer.common import K
from viz import transformer as vz

QA = ["tf-02", "tf-04", "tf-06", "tf-08"]


@st.fragment
def render() -> None:
    st.markdown(t("transformer.train_intro"))
    c1, c2, c3, c4 = st.columns(4)
    task_i = bound(  # number options with a format_func: the URL holds the label
        c1.selectbox,
        t("transformer.task"),
        [0, 1, 2],
        format_func=tl("transformer.tasks").__getitem__,
        index=1,
        key=K + "task",
    )
    layers = bound(c2.number_input, t("transformer.n_layers"), 0, 6, 2, key=K + "layers")
    d_model = bound(c3.number_input, t("transformer.d_model"), 4, 256, 64, step=4, key=K + "d")
    heads = bound(c4.number_input, t("transformer.n_heads"), 1, 16, 4, key=K + "heads")
    c1, c2, c3, c4 = st.columns(4)
    steps = bound(c1.number_input, t("transformer.steps"), 10, 3000, 600, step=50, key=K + "steps")
    lr = bound(c2.select_slider, t("transformer.lr"), [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1.0], 3e-3, key=K + "lr")
    seed = bound(c3.number_input, t("common.seed"), 0, 10_000, 0, key=K + "seed")
    pre_ln = bound(c4.toggle, t("transformer.pre_ln"), False, key=K + "pre_ln")
    task = ToyTask(TASKS[task_i], 3, 8, int(seed))
    example = torch.tensor(task.target(encode_digits("3172")))
    shifted = {
        t("transformer.dec_input"): [token_name(i) for i in shift_right(example).tolist()],
        t("transformer.labels"): [token_name(i) for i in example.tolist()],
    }
    st.dataframe(pd.DataFrame(shifted).T, hide_index=False)
    st.caption(t("transformer.shift_caption"))

    def make_run():
        cfg = TransformerConfig(
            vocab_size=task.vocab_size,
            d_model=int(d_model),
            n_heads=int(heads),
            n_layers=int(layers),
            d_ff=2 * int(d_model),
            pre_ln=pre_ln,
            seed=int(seed),
        )
        try:
            cfg.validate()
        except ValueError as exc:
            raise InputError(t("transformer.err_config", reason=str(exc))) from exc
        st.session_state[K + "trained_task"] = task
        model = Seq2SeqTransformer(cfg)
        return model, train_seq2seq(model, task, TrainConfig(steps=int(steps), lr=float(lr), seed=int(seed)))

    st.caption(t("transformer.train_stated"))
    job = training_panel("transformer_seq2seq", make_run, max_seconds=60, metric="acc")
    show_code(
        Seq2SeqTransformer,
        [
            "tests/engine/transformer/test_transformer.py::test_encoder_layer_matches_torch_layer",
            "tests/engine/transformer/test_transformer.py::test_causal_mask_hides_the_future",
            "tests/engine/transformer/test_transformer.py::test_loss_is_cross_entropy_ignoring_pad",
            "tests/engine/transformer/test_transformer.py::test_short_run_learns",
        ],
    )
    if not (job and job.usable) or results(job, st.session_state.get(K + "trained_task", task)):
        qa_panel(QA)


def results(job, trained: ToyTask) -> bool:
    """The trained model on the task it was trained on: held-out accuracy, then a decoded example. False when the
    digits box holds input it cannot decode (a warning says why)."""
    model: Seq2SeqTransformer = job.model
    acc = job.history[-1].metrics.get(
        "acc", next((p.metrics["acc"] for p in reversed(job.history) if "acc" in p.metrics), None)
    )
    if acc is not None:
        st.metric(t("transformer.heldout_acc", task=tl("transformer.tasks")[TASKS.index(trained.task)]), f"{acc:.1%}")
    digits = bound(st.text_input, t("transformer.try_digits"), "31415926", max_chars=200, key=K + "digits")
    try:
        src = encode_digits(digits)
    except ValueError:
        st.warning(t("transformer.err_digits"))
        return False
    if len(src) > 20:
        st.warning(t("transformer.err_digits_long", n=20))
        return False
    if len(src) > trained.max_len:
        st.info(t("transformer.longer_than_trained", n=trained.max_len))
    steps_out = greedy_decode(model, torch.tensor(src), bos=BOS, eos=EOS, max_len=len(src) + 2)
    out = [s.token for s in steps_out]
    want, got = decode_digits(trained.target(src)), decode_digits(out)
    (st.success if got == want and out[-1] == EOS else st.warning)(t("transformer.decode_result", got=got, want=want))
    decoding = [
        {
            t("transformer.step"): i + 1,
            t("transformer.dec_input"): " ".join(token_name(x) for x in s.prefix),
            t("transformer.top3"): ", ".join(f"{token_name(x)} {p:.2f}" for x, p in s.top),
            t("transformer.chosen"): token_name(s.token),
        }
        for i, s in enumerate(steps_out)
    ]
    st.dataframe(pd.DataFrame(decoding), hide_index=True)
    show_code(
        greedy_decode,
        ["tests/engine/transformer/test_transformer.py::test_parallel_teacher_forcing_equals_incremental"],
    )
    attention(job, src, steps_out, trained)
    return True


def attention(job, src: list[int], steps_out, trained: ToyTask) -> None:
    """Cross-attention while decoding, encoder self-attention, and the loss increase when one head is pruned."""
    model: Seq2SeqTransformer = job.model
    src_names = [token_name(x) for x in src]
    out_names = [token_name(s.token) for s in steps_out]
    n_dec = len(model.decoder)  # the key carries it: a retrained model with fewer layers gets a fresh widget
    layer = (
        st.segmented_control(
            t("transformer.which_layer"), list(range(1, n_dec + 1)), default=n_dec, key=f"{K}layer_{n_dec}"
        )
        or n_dec
    )
    cross = torch.stack([s.cross[layer - 1] for s in steps_out], dim=1)  # (h, steps, Ts)
    with torch.no_grad():
        model.eval()
        model.encode(torch.tensor([src]))
    grids = (
        ("cross", cross, out_names, "transformer.source", "transformer.output"),
        ("enc", model.encoder[layer - 1].attn[0], src_names, "transformer.key", "transformer.query"),
    )
    for what, weights, rows, x_title, y_title in grids:
        fig = vz.heads_grid(
            weights,
            rows,
            src_names,
            title=t(f"transformer.{what}_title", layer=layer),
            head_label=t("transformer.head"),
            x_title=t(x_title),
            y_title=t(y_title),
        )
        chart(fig, key=K + f"{what}_heads", name=f"seq2seq-{what}-attention")
    cached = st.session_state.get(K + "ablation")
    if cached is None or cached[0] is not job:  # 3·N·h forward passes: once per trained model
        cached = (job, head_ablation(model, *trained.held_out(256)))
        st.session_state[K + "ablation"] = cached
    deltas = cached[1]
    fig = vz.bars(
        list(deltas),
        {t("transformer.head").format(i=h + 1): [v[h] for v in deltas.values()] for h in range(model.cfg.n_heads)},
        title=t("transformer.prune_title"),
        x_title=t("transformer.attn_block"),
        y_title=t("transformer.loss_increase"),
    )
    chart(fig, key=K + "prune", name="seq2seq-head-pruning")
    st.caption(t("transformer.prune_caption"))
    show_code(
        head_ablation, ["tests/engine/transformer/test_transformer.py::test_head_ablation_matches_manual_zeroing"]
    )
