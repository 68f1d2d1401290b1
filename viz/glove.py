"""Charts for the GloVe page: data in, plotly figure out (no st.* here). Every title and axis label is passed in
already translated."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from engine.embeddings.glove import weighting

_MARGIN = dict(l=50, r=50, t=50, b=40)


def cooc_heatmap(
    M: np.ndarray, words: Sequence[str], *, title: str, x_title: str, y_title: str, colorbar: str, decimals: int = 2
) -> go.Figure:
    """A small (n, n) block of X (or log X) with the values written in the cells."""
    M = np.asarray(M, dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=M,
            x=list(words),
            y=list(words),
            colorscale="Blues",
            colorbar=dict(title=colorbar),
            texttemplate="%{text}",
            text=[["" if np.isnan(v) else f"{v:.{decimals}f}".rstrip("0").rstrip(".") for v in row] for row in M],
            hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=420,
        margin=_MARGIN,
        yaxis=dict(autorange="reversed"),
    )
    return fig


def weighting_curve(
    x_max: float,
    alpha: float,
    counts: np.ndarray,
    *,
    title: str,
    x_title: str,
    y_title: str,
    hist_title: str,
    label: str,
    ref_labels: tuple[str, str],
) -> go.Figure:
    """f(x) for the chosen x_max, alpha, with alpha = 1 and 3/4 for reference, over a histogram of the corpus's
    non-zero X_ij (log-spaced bins, each bar coloured by the weight its counts get)."""
    counts = np.asarray(counts, dtype=float)
    counts = counts[counts > 0]
    hi = max(float(counts.max()) if counts.size else 1.0, 2.0 * x_max)
    lo = min(float(counts.min()) if counts.size else 0.1, 0.1)
    xs = np.geomspace(lo, hi, 300)
    fig = go.Figure()
    if counts.size:
        edges = np.geomspace(lo, hi, 40)
        hist, _ = np.histogram(counts, bins=edges)
        mids = np.sqrt(edges[:-1] * edges[1:])
        fig.add_trace(
            go.Bar(
                x=mids,
                y=hist,
                width=np.diff(edges),
                name=hist_title,
                yaxis="y2",
                opacity=0.45,
                marker=dict(color=weighting(mids, x_max, alpha), colorscale="Viridis", cmin=0, cmax=1),
                hovertemplate="x≈%{x:.3g}: %{y}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=xs, y=weighting(xs, x_max, 1.0), mode="lines", name=ref_labels[0], line=dict(dash="dot", color="gray")
        )
    )
    fig.add_trace(
        go.Scatter(
            x=xs, y=weighting(xs, x_max, 0.75), mode="lines", name=ref_labels[1], line=dict(dash="dash", color="orange")
        )
    )
    fig.add_trace(
        go.Scatter(x=xs, y=weighting(xs, x_max, alpha), mode="lines", name=label, line=dict(width=3, color="royalblue"))
    )
    fig.update_layout(
        title=title,
        height=380,
        margin=_MARGIN,
        legend=dict(orientation="h", y=-0.25),
        xaxis=dict(title=x_title, type="log"),
        yaxis=dict(title=y_title, range=[0, 1.05]),
        yaxis2=dict(title=hist_title, overlaying="y", side="right", showgrid=False),
    )
    return fig


def ratio_bars(
    k_words: Sequence[str],
    p_i: Sequence[float],
    p_j: Sequence[float],
    *,
    names: tuple[str, str, str],
    title: str,
    y_title: str,
    x_title: str = "",
) -> go.Figure:
    """P(k|i), P(k|j) and their ratio per probe word k on a log axis (zeros are left out: log 0 is undefined)."""
    p_i, p_j = np.asarray(p_i, dtype=float), np.asarray(p_j, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((p_i > 0) & (p_j > 0), p_i / np.where(p_j > 0, p_j, 1), np.nan)
    fig = go.Figure()
    for values, name in zip((p_i, p_j, ratio), names):
        shown = [v if v > 0 else None for v in np.nan_to_num(values, nan=0.0)]
        fig.add_trace(
            go.Bar(
                x=list(k_words),
                y=shown,
                name=name,
                text=[f"{v:.2g}" if v else "" for v in shown],
                textposition="outside",
            )
        )
    fig.add_hline(y=1.0, line_dash="dot", line_color="gray")
    fig.update_layout(
        title=title,
        barmode="group",
        xaxis_title=x_title,
        yaxis=dict(title=y_title, type="log"),
        height=380,
        margin=_MARGIN,
        legend=dict(orientation="h", y=-0.2),
    )
    return fig


def word_map(
    points: np.ndarray,
    words: Sequence[str],
    *,
    title: str,
    x_title: str = "PC 1",
    y_title: str = "PC 2",
    groups: Sequence[str] | None = None,
) -> go.Figure:
    """A 2-D scatter of word vectors (already projected), each point labelled with its word."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    fig = go.Figure()
    if groups is None:
        groups = [""] * len(words)
    for g in dict.fromkeys(groups):
        idx = [i for i, gg in enumerate(groups) if gg == g]
        fig.add_trace(
            go.Scatter(
                x=points[idx, 0],
                y=points[idx, 1],
                mode="markers+text",
                name=g or title,
                text=[words[i] for i in idx],
                textposition="top center",
                showlegend=bool(g),
            )
        )
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=420, margin=_MARGIN)
    return fig


def error_vs_floor(
    losses: Sequence[float], floor: float, *, title: str, x_title: str, y_title: str, names: tuple[str, str]
) -> go.Figure:
    """An autoencoder's reconstruction error per step against the SVD error (a horizontal line)."""
    fig = go.Figure(go.Scatter(x=np.arange(1, len(losses) + 1), y=list(losses), mode="lines", name=names[0]))
    fig.add_hline(y=floor, line_dash="dash", line_color="crimson", annotation_text=f"{names[1]} = {floor:.4g}")
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=names[1], line=dict(dash="dash", color="crimson")))
    top = max(max(losses) if len(losses) else floor, floor)
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis=dict(title=y_title, type="log"),
        height=340,
        margin=_MARGIN,
        legend=dict(orientation="h", y=-0.3),
    )
    fig.update_yaxes(range=[np.log10(max(min(min(losses, default=floor), floor) * 0.8, 1e-12)), np.log10(top * 1.2)])
    return fig


def window_curve(values: np.ndarray, *, title: str, x_title: str, y_title: str) -> go.Figure:
    """X_ij for window sizes 1..n (a step-like curve: each extra word of reach adds its 1/d)."""
    values = np.asarray(values, dtype=float)
    fig = go.Figure(go.Scatter(x=np.arange(1, values.size + 1), y=values, mode="lines+markers"))
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=300, margin=_MARGIN)
    return fig
