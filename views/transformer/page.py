"""Transformer: architecture, self-attention step by step, √d_k, positions, a seq2seq trained live, LN vs BN, cost.
Widgets → engine → viz; one small function per tab."""

import pandas as pd
import streamlit as st
import torch

from engine.transformer import cost as cx
from engine.transformer.model import (
    CalcConfig,
    Seq2SeqTransformer,
    TrainConfig,
    TransformerConfig,
    attention_walkthrough,
    dot_products,
    greedy_decode,
    head_ablation,
    order_check,
    pe_offset_dots,
    pe_shift_demo,
    positional_encoding,
    scaling_stats,
    tokenize,
    train_seq2seq,
)
from engine.transformer.norms import NormConfig, batch_mate_drift, batch_norm, depth_profile, layer_norm, padded_batch
from engine.transformer.toy_tasks import BOS, EOS, TASKS, ToyTask, decode_digits, encode_digits, shift_right, token_name
from ui.i18n import t, tl
from ui.tabs import url_tabs
from ui.training import InputError, training_panel
from ui.widgets import chart as export_chart
from ui.widgets import matrix_frame, qa_panel
from views.sections import transformer_length
from viz import transformer as vz

K = "transformer_"  # widget keys (bound to the URL) carry the page prefix
DK_VALUES = [4, 16, 64, 256, 1024]
REACH_NS = [2, 4, 8, 16, 32, 64, 128]


def chart(fig) -> None:
    st.plotly_chart(fig, width="stretch")


@st.cache_data(show_spinner=False)
def reference_counts(bert: bool, sites: bool = False) -> dict:
    return cx.reference_sites(bert) if sites else {n: cx.module_counts(m) for n, m in cx.reference_models(bert).items()}


@st.cache_data(show_spinner=False)
def tiny_model_counts(sites: bool = False) -> dict:  # cached: not a new model on every rerun
    return (cx.seq2seq_sites if sites else cx.module_counts)(Seq2SeqTransformer(TransformerConfig()))


@st.cache_data(show_spinner=False)
def scaling_table() -> list[dict]:
    return [scaling_stats(d, n_samples=5000) for d in DK_VALUES]


@st.cache_data(show_spinner=False)
def cached_dots(dk: int) -> tuple[list[float], list[float]]:
    raw, scaled = dot_products(dk, n_samples=2000)
    return raw.tolist(), scaled.tolist()


@st.cache_data(show_spinner=False)
def cached_reach() -> dict:
    return cx.gradient_reach(REACH_NS)


@st.cache_data(show_spinner=False)
def cached_depth_profile(depth: int, residual: bool, norm: str) -> dict:
    return depth_profile(depth, residual=residual, norm=norm)


# Each tab's sections are fragments: a widget inside one reruns that section only (only the open tab is drawn at
# all; a finished training run reruns the whole page).
@st.fragment
def architecture_tab() -> None:
    c1, c2, c3, c4 = st.columns(4)
    n = c1.number_input(t("transformer.n_layers"), 1, 12, 6, key=K + "arch_n", bind="query-params")
    h = c2.number_input(t("transformer.n_heads"), 1, 16, 8, key=K + "arch_h", bind="query-params")
    d = c3.number_input(t("transformer.d_model"), 1, 1024, 512, key=K + "arch_d", bind="query-params")
    ff = c4.number_input(t("transformer.d_ff"), 1, 8192, 2048, key=K + "arch_ff", bind="query-params")
    left, right = st.columns([5, 6])
    left.graphviz_chart(
        vz.architecture_dot(
            {
                k: t(f"transformer.dot.{k}")
                for k in (
                    "src",
                    "tgt",
                    "emb",
                    "pe",
                    "self",
                    "masked",
                    "cross",
                    "ffn",
                    "addnorm",
                    "enc",
                    "dec",
                    "linear",
                    "softmax",
                    "memory",
                )
            },
            int(n),
        )
    )
    right.markdown(t("transformer.arch_where"))
    try:
        p = cx.block_params(int(d), int(h), int(ff))
    except ValueError:
        right.error(t("transformer.err_heads", d=int(d), h=int(h)))
    else:
        total = cx.transformer_params(int(d), int(h), int(n), int(n), int(ff))
        right.dataframe(
            pd.DataFrame(
                {
                    t("transformer.block"): [t(f"transformer.blk.{k}") for k in p],
                    t("transformer.params"): list(p.values()),
                }
            ),
            hide_index=True,
        )
        right.markdown(t("transformer.arch_total", total=f"{total:,}", d_k=int(d) // int(h)))
    st.subheader(t("transformer.addnorm_title"))
    c1, c2, c3 = st.columns(3)
    depth = c1.slider(t("transformer.depth"), 2, 24, 12, key=K + "an_depth", bind="query-params")
    residual = c2.toggle(t("transformer.residual"), True, key=K + "an_res", bind="query-params")
    norm = c3.radio(
        t("transformer.norm_kind"),
        [0, 1, 2],
        format_func=tl("transformer.norm_kinds").__getitem__,
        horizontal=True,
        key=K + "an_norm",
        bind="query-params",
    )
    prof = cached_depth_profile(depth, residual, ("post", "pre", "none")[norm])
    c1, c2 = st.columns(2)
    with c1:
        chart(
            vz.lines(
                range(1, depth + 1),
                {t("transformer.act_std"): prof["std"]},
                title=t("transformer.act_std"),
                x_title=t("transformer.layer"),
                y_title="std",
                log_y=True,
            )
        )
    with c2:
        chart(
            vz.lines(
                range(1, depth + 1),
                {t("transformer.grad_norm"): prof["grad"]},
                title=t("transformer.grad_norm"),
                x_title=t("transformer.layer"),
                y_title="‖∇W‖",
                log_y=True,
            )
        )
    st.subheader(t("transformer.modules_title"))
    sites = st.toggle(t("transformer.count_sites_toggle"), False, key=K + "count_sites", bind="query-params")
    counts = {
        t("transformer.tiny_model"): tiny_model_counts(sites),
        **reference_counts(
            st.toggle(t("transformer.with_bert"), False, key=K + "with_bert", bind="query-params"), sites
        ),
    }
    kinds = list(next(iter(counts.values())))
    chart(
        vz.bars(
            kinds,
            {name: [c[k] for k in kinds] for name, c in counts.items()},
            title=t("transformer.modules_title"),
            x_title=t("transformer.module"),
            y_title=t("transformer.count_sites" if sites else "transformer.count"),
        )
    )
    st.caption(t("transformer.sites_note" if sites else "transformer.modules_note"))
    qa_panel(["tf-01", "tf-07", "misc-12"])


@st.fragment
def attention_tab() -> None:
    text = st.text_input(
        t("transformer.sentence"),
        t("transformer.default_sentence"),
        max_chars=5000,
        key=K + "sentence",
        bind="query-params",
    )
    c1, c2, c3 = st.columns(3)
    d_model = c1.slider(t("transformer.d_model"), 2, 32, 8, key=K + "calc_d", bind="query-params")
    d_k = c2.slider("d_k", 1, 16, 4, key=K + "calc_dk", bind="query-params")
    mode = c3.radio(
        t("transformer.qkv_mode"),
        [0, 1, 2],
        format_func=tl("transformer.qkv_modes").__getitem__,
        key=K + "calc_mode",
        bind="query-params",
    )
    c1, c2, c3 = st.columns(3)
    causal = c1.toggle(t("transformer.causal"), False, key=K + "calc_causal", bind="query-params")
    use_pe = c2.toggle(t("transformer.add_pe"), True, key=K + "calc_pe", bind="query-params")
    scale = c3.toggle(t("transformer.scale"), True, key=K + "calc_scale", bind="query-params")
    try:
        tokens = tokenize(text)
    except ValueError as exc:
        st.warning(t(f"transformer.err_{exc}"))
        return
    w = attention_walkthrough(
        tokens, CalcConfig(d_model, d_k, ("qkv", "shared", "v_only")[mode], causal, use_pe, scale)
    )
    dims = [str(i) for i in range(d_model)]
    kdims = [str(i) for i in range(w["q"].shape[1])]
    chart(
        vz.matrix_heatmap(
            w["x"],
            tokens,
            dims,
            title=t("transformer.step_x"),
            x_title=t("transformer.dim"),
            y_title=t("transformer.token"),
        )
    )
    cols = st.columns(3)
    for col, name in zip(cols, ("q", "k", "v")):
        with col:
            chart(
                vz.matrix_heatmap(
                    w[name],
                    tokens,
                    kdims,
                    title=t(f"transformer.step_{name}"),
                    x_title=t("transformer.dim"),
                    y_title=t("transformer.token"),
                    text=len(tokens) * len(kdims) <= 100,
                )
            )
    c1, c2 = st.columns(2)
    with c1:
        chart(
            vz.matrix_heatmap(
                w["scaled"],
                tokens,
                tokens,
                title=t("transformer.step_scores" if scale else "transformer.step_scores_raw"),
                x_title=t("transformer.key"),
                y_title=t("transformer.query"),
            )
        )
    with c2:
        export_chart(
            vz.matrix_heatmap(
                w["weights"],
                tokens,
                tokens,
                title=t("transformer.step_softmax"),
                diverging=False,
                x_title=t("transformer.key"),
                y_title=t("transformer.query"),
            ),
            key=K + "weights",
            name="attention-weights",
            data=matrix_frame(w["weights"], tokens, tokens, corner=t("transformer.query")),
        )
    chart(
        vz.matrix_heatmap(
            w["out"],
            tokens,
            kdims,
            title=t("transformer.step_out"),
            x_title=t("transformer.dim"),
            y_title=t("transformer.token"),
        )
    )
    symmetric = bool(torch.equal(w["scores"], w["scores"].T))
    (st.success if symmetric else st.info)(t("transformer.symmetric_yes" if symmetric else "transformer.symmetric_no"))
    st.subheader(t("transformer.order_title"))
    if len(tokens) >= 2:
        order = list(reversed(range(len(tokens))))
        c1, c2 = st.columns(2)
        for col, pe in ((c1, False), (c2, True)):
            r = order_check(tokens, order, use_pe=pe)
            col.metric(
                t("transformer.order_pe" if pe else "transformer.order_nope"),
                f"{r['cos']:.4f}",
                help=t("transformer.order_help", diff=r["max_diff"]),
            )
    qa_panel(["tf-03", "tf-09"])


@st.fragment
def scaling_section() -> None:
    st.subheader(t("transformer.scaling_title"))
    dk = st.select_slider("d_k", DK_VALUES, 64, key=K + "scale_dk", bind="query-params")
    raw, scaled = cached_dots(dk)
    chart(
        vz.histograms(
            {"q·k": raw, "q·k/√d_k": scaled},
            title=t("transformer.hist_title", dk=dk),
            x_title=t("transformer.score"),
            y_title=t("transformer.density"),
        )
    )
    rows = scaling_table()
    c1, c2 = st.columns(2)
    with c1:
        chart(
            vz.lines(
                DK_VALUES,
                {
                    t("transformer.unscaled"): [r["maxp_raw"] for r in rows],
                    t("transformer.scaled"): [r["maxp_scaled"] for r in rows],
                },
                title=t("transformer.maxp_title"),
                x_title="d_k",
                y_title="max p",
                log_x=True,
            )
        )
    with c2:
        chart(
            vz.lines(
                DK_VALUES,
                {
                    t("transformer.unscaled"): [r["jac_raw"] for r in rows],
                    t("transformer.scaled"): [r["jac_scaled"] for r in rows],
                },
                title=t("transformer.jac_title"),
                x_title="d_k",
                y_title="‖∂p/∂s‖",
                log_x=True,
            )
        )
    r = rows[DK_VALUES.index(dk)]
    st.markdown(t("transformer.scaling_numbers", dk=dk, var=r["var"], var_scaled=r["var_scaled"]))
    qa_panel(["tf-11"])


@st.fragment
def positions_tab() -> None:
    c1, c2, c3, c4 = st.columns(4)
    n = c1.slider(t("transformer.n_positions"), 8, 200, 50, key=K + "pe_n", bind="query-params")
    d = c2.slider(t("transformer.d_model"), 4, 256, 64, step=2, key=K + "pe_d", bind="query-params")
    pos = c3.slider(t("transformer.pos"), 0, 100, 5, key=K + "pe_pos", bind="query-params")
    off = c4.slider(t("transformer.offset"), 1, 99, 3, key=K + "pe_k", bind="query-params")
    chart(
        vz.matrix_heatmap(
            positional_encoding(n, d),
            None,
            None,
            title=t("transformer.pe_title"),
            x_title=t("transformer.dim"),
            y_title=t("transformer.position"),
            text=False,
            height=420,
        )
    )
    demo = pe_shift_demo(d, pos, off)
    shifted, rotated = f"PE[{pos + off}]", f"R_{off}·PE[{pos}]"
    chart(
        vz.lines(
            range(d),
            {shifted: demo["target"].tolist(), rotated: demo["rotated"].tolist()},
            title=t("transformer.rot_title", k=off),
            x_title=t("transformer.dim"),
            y_title="PE",
            dash={rotated: "dot"},
        )
    )
    st.caption(t("transformer.rot_caption", err=demo["max_err"]))
    dots = {f"pos={p}": v for p, v in pe_offset_dots(d).items()}
    chart(
        vz.lines(
            range(40),
            dots,
            title=t("transformer.dot_title"),
            x_title=t("transformer.offset"),
            y_title="PE[pos]·PE[pos+k]",
            markers=False,
        )
    )


@st.fragment
def seq2seq_tab() -> None:
    st.markdown(t("transformer.train_intro"))
    c1, c2, c3, c4 = st.columns(4)
    task_i = c1.selectbox(
        t("transformer.task"),
        [0, 1, 2],
        format_func=tl("transformer.tasks").__getitem__,
        index=1,
        key=K + "task",
        bind="query-params",
    )
    layers = c2.number_input(t("transformer.n_layers"), 0, 6, 2, key=K + "layers", bind="query-params")
    d_model = c3.number_input(t("transformer.d_model"), 4, 256, 64, step=4, key=K + "d", bind="query-params")
    heads = c4.number_input(t("transformer.n_heads"), 1, 16, 4, key=K + "heads", bind="query-params")
    c1, c2, c3, c4 = st.columns(4)
    steps = c1.number_input(t("transformer.steps"), 10, 3000, 600, step=50, key=K + "steps", bind="query-params")
    lr = c2.select_slider(
        t("transformer.lr"), [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1.0], 3e-3, key=K + "lr", bind="query-params"
    )
    seed = c3.number_input(t("common.seed"), 0, 10_000, 0, key=K + "seed", bind="query-params")
    pre_ln = c4.toggle(t("transformer.pre_ln"), False, key=K + "pre_ln", bind="query-params")
    task = ToyTask(TASKS[task_i], 3, 8, int(seed))
    example = torch.tensor(task.target(encode_digits("3172")))
    st.dataframe(
        pd.DataFrame(
            {
                t("transformer.dec_input"): [token_name(i) for i in shift_right(example).tolist()],
                t("transformer.labels"): [token_name(i) for i in example.tolist()],
            }
        ).T,
        hide_index=False,
    )
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
    if not (job and job.usable):
        qa_panel(["tf-02", "tf-04", "tf-06", "tf-08"])
        return
    trained: ToyTask = st.session_state.get(K + "trained_task", task)
    model: Seq2SeqTransformer = job.model
    acc = job.history[-1].metrics.get(
        "acc", next((p.metrics["acc"] for p in reversed(job.history) if "acc" in p.metrics), None)
    )
    if acc is not None:
        st.metric(t("transformer.heldout_acc", task=tl("transformer.tasks")[TASKS.index(trained.task)]), f"{acc:.1%}")
    digits = st.text_input(
        t("transformer.try_digits"), "31415926", max_chars=200, key=K + "digits", bind="query-params"
    )
    try:
        src = encode_digits(digits)
    except ValueError:
        st.warning(t("transformer.err_digits"))
        return
    if len(src) > 20:
        st.warning(t("transformer.err_digits_long", n=20))
        return
    if len(src) > trained.max_len:
        st.info(t("transformer.longer_than_trained", n=trained.max_len))
    steps_out = greedy_decode(model, torch.tensor(src), bos=BOS, eos=EOS, max_len=len(src) + 2)
    out = [s.token for s in steps_out]
    want = decode_digits(trained.target(src))
    got = decode_digits(out)
    (st.success if got == want and out[-1] == EOS else st.warning)(t("transformer.decode_result", got=got, want=want))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("transformer.step"): i + 1,
                    t("transformer.dec_input"): " ".join(token_name(x) for x in s.prefix),
                    t("transformer.top3"): ", ".join(f"{token_name(x)} {p:.2f}" for x, p in s.top),
                    t("transformer.chosen"): token_name(s.token),
                }
                for i, s in enumerate(steps_out)
            ]
        ),
        hide_index=True,
    )
    src_names = [token_name(x) for x in src]
    out_names = [token_name(x) for x in out]
    n_dec = len(model.decoder)  # the key carries it: a retrained model with fewer layers gets a fresh widget
    layer = (
        st.segmented_control(
            t("transformer.which_layer"), list(range(1, n_dec + 1)), default=n_dec, key=f"{K}layer_{n_dec}"
        )
        or n_dec
    )
    cross = torch.stack([s.cross[layer - 1] for s in steps_out], dim=1)  # (h, steps, Ts)
    chart(
        vz.heads_grid(
            cross,
            out_names,
            src_names,
            title=t("transformer.cross_title", layer=layer),
            head_label=t("transformer.head"),
            x_title=t("transformer.source"),
            y_title=t("transformer.output"),
        )
    )
    with torch.no_grad():
        model.eval()
        model.encode(torch.tensor([src]))
    enc_attn = model.encoder[layer - 1].attn[0]
    chart(
        vz.heads_grid(
            enc_attn,
            src_names,
            src_names,
            title=t("transformer.enc_title", layer=layer),
            head_label=t("transformer.head"),
            x_title=t("transformer.key"),
            y_title=t("transformer.query"),
        )
    )
    cached = st.session_state.get(K + "ablation")
    if cached is None or cached[0] is not job:  # 3·N·h forward passes: once per trained model
        cached = (job, head_ablation(model, *trained.held_out(256)))
        st.session_state[K + "ablation"] = cached
    deltas = cached[1]
    chart(
        vz.bars(
            list(deltas),
            {t("transformer.head").format(i=h + 1): [v[h] for v in deltas.values()] for h in range(model.cfg.n_heads)},
            title=t("transformer.prune_title"),
            x_title=t("transformer.attn_block"),
            y_title=t("transformer.loss_increase"),
        )
    )
    st.caption(t("transformer.prune_caption"))
    qa_panel(["tf-02", "tf-04", "tf-06", "tf-08"])


@st.fragment
def norms_tab() -> None:
    c1, c2, c3, c4, c5 = st.columns(5)
    b = c1.slider(t("transformer.batch"), 1, 64, 4, key=K + "bn_b", bind="query-params")
    tl_ = c2.slider(t("transformer.seq_len"), 1, 16, 6, key=K + "bn_t", bind="query-params")
    c = c3.slider(t("transformer.channels"), 2, 16, 6, key=K + "bn_c", bind="query-params")
    pad = c4.slider(t("transformer.pad_ratio"), 0.0, 0.9, 0.3, key=K + "bn_pad", bind="query-params")
    seed = c5.number_input(t("common.seed"), 0, 10_000, 0, key=K + "bn_seed", bind="query-params")
    cfg = NormConfig(b, tl_, c, pad, int(seed))
    x, mask = padded_batch(cfg)
    rows = [f"s{i}·t{j}{'' if mask[i, j] else ' ▢'}" for i in range(b) for j in range(tl_)]
    flat = lambda z: z.reshape(b * tl_, c)  # noqa: E731 - (B, T, C) → rows of tokens for the heatmap
    bn, bn_mean, _ = batch_norm(x)
    _, bn_mean_real, _ = batch_norm(x, mask)
    ln, _, _ = layer_norm(x)
    chans = [f"c{i}" for i in range(c)]
    big = b * tl_ > 48
    c1, c2, c3 = st.columns(3)
    for col, z, key in ((c1, x, "raw"), (c2, bn, "bn"), (c3, ln, "ln")):
        with col:
            chart(
                vz.matrix_heatmap(
                    flat(z),
                    None if big else rows,
                    chans,
                    title=t(f"transformer.norm_{key}"),
                    x_title=t("transformer.channel"),
                    y_title=t("transformer.norm_rows"),
                    text=not big,
                    height=min(900, 22 * b * tl_ + 140),
                )
            )
    st.caption(t("transformer.norm_caption"))
    chart(
        vz.bars(
            chans,
            {t("transformer.bn_mean_all"): bn_mean.tolist(), t("transformer.bn_mean_real"): bn_mean_real.tolist()},
            title=t("transformer.bn_stats"),
            x_title=t("transformer.channel"),
            y_title=t("transformer.mean"),
        )
    )
    if b >= 2:
        drift = batch_mate_drift(cfg, n_resamples=10)
        c1, c2 = st.columns(2)
        c1.metric(t("transformer.drift_bn"), f"{drift['bn']:.4f}")
        c2.metric(t("transformer.drift_ln"), f"{drift['ln']:.4f}")
        st.caption(t("transformer.drift_caption"))
    qa_panel(["misc-09", "misc-10"])


@st.fragment
def cost_tab() -> None:
    c1, c2 = st.columns(2)
    n = c1.select_slider(
        t("transformer.seq_n"),
        [16, 32, 64, 128, 256, 512, 1024, 2048, 4096],
        128,
        key=K + "cost_n",
        bind="query-params",
    )
    d = c2.select_slider(
        t("transformer.width_d"), [64, 128, 256, 512, 1024, 2048], 512, key=K + "cost_d", bind="query-params"
    )
    table = cx.layer_table(n, d)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("transformer.quantity"): t(f"transformer.row_{r['row']}"),
                    t("transformer.self_attention"): f"{r['self_attention']:,}",
                    t("transformer.recurrent"): f"{r['recurrent']:,}",
                    t("transformer.faster"): t(f"transformer.faster_{r['faster']}"),
                }
                for r in table
            ]
        ),
        hide_index=True,
    )
    ns = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
    curves = cx.flop_curves(d, ns)
    chart(
        vz.lines(
            ns,
            {t(f"transformer.flop_{k}"): v for k, v in curves.items()},
            log_x=True,
            log_y=True,
            title=t("transformer.flops_title", d=d),
            x_title=t("transformer.seq_n"),
            y_title="FLOPs",
        )
    )
    st.caption(t("transformer.flops_caption", d=d))
    reach = cached_reach()
    chart(
        vz.lines(
            REACH_NS,
            {"LSTM": reach["lstm"], t("transformer.self_attention"): reach["attention"]},
            log_x=True,
            log_y=True,
            title=t("transformer.reach_title"),
            x_title=t("transformer.seq_n"),
            y_title="‖∂y_n/∂x_1‖",
        )
    )
    st.caption(t("transformer.reach_caption"))
    st.markdown(t("transformer.parallel_table"))
    if st.button(t("transformer.measure"), key=K + "measure"):
        dm = min(d, 512)
        st.session_state[K + "measured"] = (
            dm,
            [(m, cx.measure_layers(m, dm)) for m in (16, 64, 256, 1024)],
            cx.measure_parallel(64, 64),
        )
    measured = st.session_state.get(K + "measured")
    if measured:
        dm, rows, par = measured
        ms = [m for m, _ in rows]
        c1, c2 = st.columns(2)
        with c1:
            chart(
                vz.lines(
                    ms,
                    {
                        t("transformer.self_attention"): [r["attn_s"] * 1e3 for _, r in rows],
                        "LSTM": [r["lstm_s"] * 1e3 for _, r in rows],
                    },
                    log_x=True,
                    log_y=True,
                    title=t("transformer.time_title", d=dm),
                    x_title=t("transformer.seq_n"),
                    y_title="ms",
                )
            )
        with c2:
            chart(
                vz.lines(
                    ms,
                    {
                        t("transformer.self_attention"): [r["attn_bytes"] / 2**20 for _, r in rows],
                        "LSTM": [r["lstm_bytes"] / 2**20 for _, r in rows],
                    },
                    log_x=True,
                    log_y=True,
                    title=t("transformer.mem_title", d=dm),
                    x_title=t("transformer.seq_n"),
                    y_title="MiB",
                )
            )
        chart(
            vz.bars(
                [t("transformer.par_loop"), t("transformer.par_matmul"), t("transformer.par_rnn")],
                {"ms": [par["loop_s"] * 1e3, par["matmul_s"] * 1e3, par["rnn_s"] * 1e3]},
                log_y=True,
                title=t("transformer.par_title"),
                x_title=t("transformer.par_how"),
                y_title="ms",
            )
        )
    qa_panel(["tf-05", "tf-10", "misc-06", "misc-07"])


st.title(t("transformer.title"))
st.markdown(t("transformer.intro"))
TAB_CODES = ("architecture", "attention", "positions", "seq2seq", "norms", "cost")  # stable: they end up in links
tabs = url_tabs("transformer_tab", TAB_CODES, tl("transformer.tabs"))  # ?transformer_tab=seq2seq opens that tab
# only the open tab runs (a tab switch reruns the page); the tabs share nothing but their own session-state keys
for tab, draws in zip(
    tabs,
    (
        (architecture_tab,),
        (attention_tab, scaling_section),
        (positions_tab,),
        (seq2seq_tab, transformer_length.render),
        (norms_tab,),
        (cost_tab,),
    ),
):
    if tab.open:
        with tab:
            for draw in draws:
                draw()
