"""misc-09, misc-10: BatchNorm vs LayerNorm on a padded batch (?transformer_tab=norms)."""

import streamlit as st

from engine.transformer.norms import NormConfig, batch_mate_drift, batch_norm, layer_norm, padded_batch
from ui.code import show_code
from ui.i18n import t
from ui.predict import predict_then_see
from ui.widgets import bound, chart, qa_panel
from views.transformer.common import K
from viz import transformer as vz

DRIFT_CODES = ("bn", "ln", "both", "neither")
MOVES = 1e-6  # a drift above this is a change (LayerNorm's is exactly 0)


def drift_truth(drift: dict[str, float]) -> str:
    """The prompt's truth from engine.transformer.norms.batch_mate_drift: whose output for sentence 0 moves."""
    bn, ln = drift["bn"] > MOVES, drift["ln"] > MOVES
    return "both" if bn and ln else "bn" if bn else "ln" if ln else "neither"


def _drift(drift: dict[str, float]) -> None:
    c1, c2 = st.columns(2)
    c1.metric(t("transformer.drift_bn"), f"{drift['bn']:.4f}")
    c2.metric(t("transformer.drift_ln"), f"{drift['ln']:.4f}")
    st.caption(t("transformer.drift_caption"))


def _norm_results(chans: list[str], bn_mean, bn_mean_real) -> None:
    """What answers the prompt (drawn once it is answered): the caption saying what each norm averages over, and
    BatchNorm's per-feature means over the whole batch, with and without the padding."""
    st.caption(t("transformer.norm_caption"))
    fig = vz.bars(
        chans,
        {t("transformer.bn_mean_all"): bn_mean.tolist(), t("transformer.bn_mean_real"): bn_mean_real.tolist()},
        title=t("transformer.bn_stats"),
        x_title=t("transformer.channel"),
        y_title=t("transformer.mean"),
    )
    chart(fig, key=K + "bn_means", name="norms-batch-means")


@st.fragment
def render() -> None:
    c1, c2, c3, c4, c5 = st.columns(5)
    b = bound(c1.slider, t("transformer.batch"), 1, 64, 4, key=K + "bn_b")
    tl_ = bound(c2.slider, t("transformer.seq_len"), 1, 16, 6, key=K + "bn_t")
    c = bound(c3.slider, t("transformer.channels"), 2, 16, 6, key=K + "bn_c")
    pad = bound(c4.slider, t("transformer.pad_ratio"), 0.0, 0.9, 0.3, key=K + "bn_pad")
    seed = bound(c5.number_input, t("common.seed"), 0, 10_000, 0, key=K + "bn_seed")
    cfg = NormConfig(b, tl_, c, pad, int(seed))
    x, mask = padded_batch(cfg)
    rows = [f"s{i}·t{j}{'' if mask[i, j] else ' ▢'}" for i in range(b) for j in range(tl_)]
    bn, bn_mean, _ = batch_norm(x)
    _, bn_mean_real, _ = batch_norm(x, mask)
    ln, _, _ = layer_norm(x)
    chans = [f"c{i}" for i in range(c)]
    big = b * tl_ > 48
    for col, z, key in zip(st.columns(3), (x, bn, ln), ("raw", "bn", "ln")):
        fig = vz.matrix_heatmap(
            z.reshape(b * tl_, c),  # (B, T, C) → rows of tokens for the heatmap
            None if big else rows,
            chans,
            title=t(f"transformer.norm_{key}"),
            x_title=t("transformer.channel"),
            y_title=t("transformer.norm_rows"),
            text=not big,
            height=min(900, 22 * b * tl_ + 140),
        )
        chart(fig, key=K + f"norm_{key}", name=f"norms-{key}", on=col)
    if b >= 2:
        drift = batch_mate_drift(cfg, n_resamples=10)

        def reveal() -> None:
            _drift(drift)
            _norm_results(chans, bn_mean, bn_mean_real)

        predict_then_see(  # the drift numbers, the caption and the batch statistics answer it: drawn in the reveal
            "tf_ln_bn",
            t("predict.tf_ln_bn.prompt", mates=b - 1),
            {code: t(f"predict.tf_ln_bn.{code}") for code in DRIFT_CODES},
            drift_truth(drift),
            topic="misc",
            reveal=reveal,
            explain=t("predict.tf_ln_bn.why"),
            variant=(b, tl_, c, pad, int(seed)),
        )
    else:  # one sentence, no batch mates: no question
        _norm_results(chans, bn_mean, bn_mean_real)
    show_code(batch_norm, ["tests/engine/transformer/test_transformer.py::test_norms_match_torch"])
    show_code(
        batch_mate_drift, ["tests/engine/transformer/test_transformer.py::test_ln_ignores_batch_mates_bn_does_not"]
    )
    qa_panel(["misc-09", "misc-10"])
