"""?glove_tab=counts: the co-occurrence counts X and log X of a few words, X against the window, and GloVe's
weighting f(x) with its x_max and α (the training tab reads them)."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.embeddings.glove import Counts, GloveConfig, cooccurrence, pair_by_window, weighting
from ui.code import show_code
from ui.i18n import t
from ui.predict import estimate_then_see
from ui.widgets import bound, chart, figure
from views.glove.common import warn_unknown, words_of
from viz import glove as V


def render(counts: Counts, dflt: tuple) -> None:
    vocab = counts.vocab
    text = bound(st.text_input, t("glove.words"), "", placeholder=dflt[0], key="glove_words")
    words, unknown = words_of(text, dflt[0], vocab)
    warn_unknown(unknown)
    if len(words) >= 2:
        heatmaps(counts, words)
    else:
        st.info(t("glove.need_two_words"))
    weighting_curve(counts)


def heatmaps(counts: Counts, words: list[str]) -> None:
    """X and log X for these words, and X of the most frequent pair against the window."""
    ids = [counts.vocab.stoi[w] for w in words]
    block = counts.X[ids][:, ids].toarray()
    how = t("glove.weighted") if counts.distance_weighting else t("glove.unweighted")
    table = pd.DataFrame(block, columns=words)
    table.insert(0, f'{t("glove.word")} \\ {t("glove.context")}', words)
    logs = np.log(np.where(block > 0, block, np.nan))
    panels = (
        (block, t("glove.x_title", window=counts.window, weighting=how), "X", "glove_x", "glove-cooccurrence", table),
        (logs, t("glove.logx_title"), "log X", "glove_logx", "glove-log-cooccurrence", None),
    )
    for col, (z, title, bar, key, name, data) in zip(st.columns(2), panels):
        chart(
            figure(
                V.cooc_heatmap, z, words, title=title, x_title=t("glove.context"), y_title=t("glove.word"), colorbar=bar
            ),
            key=key,
            name=name,
            data=data,
            on=col,
        )
    i, j = np.unravel_index(np.argmax(block - np.diag(np.diag(block)) - np.eye(len(ids))), block.shape)
    curve = pair_by_window(counts.ids, ids[i], ids[j], 15, distance_weighting=counts.distance_weighting)
    chart(
        figure(
            V.window_curve,
            curve,
            title=t("glove.window_curve", i=words[i], j=words[j]),
            x_title=t("glove.window"),
            y_title=f"X[{words[i]}, {words[j]}]",
        ),
        key="glove_wcurve",
        name="glove-window-curve",
    )
    show_code(
        cooccurrence,
        [
            "tests/engine/embeddings/test_glove.py::test_cooccurrence_equals_brute_force",
            "tests/engine/embeddings/test_glove.py::test_cooccurrence_windows_do_not_cross_sentences",
            "tests/engine/embeddings/test_glove.py::test_pair_by_window_equals_cooccurrence",
        ],
    )


FX_X = 10  # the count the prompt asks about


def _fx_numbers(x_max: float, alpha: float) -> None:
    c1, c2 = st.columns(2)
    c1.metric(t("predict.glove_fx.value", x=FX_X, alpha=alpha), f"{float(weighting(FX_X, x_max, alpha)):.3f}")
    c2.metric(t("predict.glove_fx.linear", x=FX_X), f"{float(weighting(FX_X, x_max, 1.0)):.3f}")


def _fx_results(X, x_max: float, alpha: float) -> None:
    """What answers the prompt (drawn once it is answered): f(10) in numbers, the f(x) chart and the table of
    f at a few counts (x = 10 among them)."""
    _fx_numbers(x_max, alpha)
    chart(
        figure(
            V.weighting_curve,
            x_max,
            alpha,
            X.data,
            title=t("glove.f_chart"),
            x_title="x = X_ij",
            y_title="f(x)",
            hist_title=t("glove.hist"),
            label=f"α = {alpha:g}",
            ref_labels=("α = 1", "α = 3/4"),
        ),
        key="glove_f",
        name="glove-weighting",
    )
    xs = sorted({0, 1, 10, 50, x_max, 10 * x_max})  # a set: x_max = 5, 10 or 50 would repeat a column
    st.dataframe(
        pd.DataFrame(
            [[round(float(weighting(x, x_max, alpha)), 3) for x in xs]],
            index=["f(x)"],
            columns=[f"x = {x:g}" for x in xs],
        ),
        width="stretch",
    )


def weighting_curve(counts: Counts) -> None:
    """f(x) for this x_max and α over the histogram of the counts, and a few of its values (once the prompt on
    f(10) is answered)."""
    X = counts.X
    st.subheader(t("glove.f_title"))
    a, b = st.columns(2)
    x_max = bound(a.number_input, "x_max", 0.0, 1e6, 100.0, key="glove_xmax")
    alpha = bound(b.number_input, "α", -2.0, 10.0, 0.75, step=0.05, key="glove_alpha")
    if {"x_max", "alpha"} & set(GloveConfig(x_max=x_max, alpha=alpha).problems()):
        st.error(t("glove.bad_weighting"))
        return
    estimate_then_see(  # the f(x) chart and its table answer it: both drawn in the reveal
        "glove_fx",
        t("predict.glove_fx.prompt", x_max=x_max, alpha=alpha, x=FX_X),
        float(weighting(FX_X, x_max, alpha)),
        topic="glove",
        reveal=lambda: _fx_results(X, x_max, alpha),
        tolerance=0.05,
        min_value=0.0,
        max_value=1.0,
        step=0.01,
        fmt="{:.3f}",
        explain=t("predict.glove_fx.why", linear=float(weighting(FX_X, x_max, 1.0))),
        variant=(x_max, alpha),
    )
    st.caption(t("glove.f_share", share=100 * float(np.mean(X.data < x_max))))
    show_code(weighting, ["tests/engine/embeddings/test_glove.py::test_weighting_closed_form"])
