"""Charts for ptm-02 (one-hot vs distributed vectors, their memory) and misc-14 (softmax vs hierarchical softmax).
Data in, plotly figure out; every text arrives translated (no st.* here)."""

from __future__ import annotations

from html import escape
from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

_LAYOUT = dict(margin=dict(l=60, r=30, t=80, b=50))
ONE_HOT, DENSE = "#c0504d", "#2f6fdf"


def vector_bars(
    words: Sequence[str],
    one_hot: np.ndarray,
    dense: np.ndarray,
    *,
    title: str,
    one_hot_title: str,
    dense_title: str,
    x_one_hot: str,
    x_dense: str,
    y_title: str,
) -> go.Figure:
    """One row per word: its one-hot vector (left, the first columns of |V|) and its dense vector (right, all d).

    one_hot: (n, k) the shown part of the one-hot rows; dense: (n, d)."""
    n = len(words)
    fig = make_subplots(
        rows=n,
        cols=2,
        shared_xaxes="columns",
        column_titles=[one_hot_title, dense_title],
        row_titles=[escape(w) for w in words],
        horizontal_spacing=0.06,
        vertical_spacing=0.02,
    )
    lim = float(np.abs(dense).max()) * 1.05 if np.size(dense) else 1.0
    for i in range(n):
        fig.add_trace(
            go.Bar(
                x=np.arange(one_hot.shape[1]),
                y=one_hot[i],
                marker_color=ONE_HOT,
                showlegend=False,
                hovertemplate=f"{escape(words[i])} · %{{x}}: %{{y:.0f}}<extra></extra>",
            ),
            i + 1,
            1,
        )
        fig.add_trace(
            go.Bar(
                x=np.arange(dense.shape[1]),
                y=dense[i],
                marker_color=DENSE,
                showlegend=False,
                marker_line_width=0,
                hovertemplate=f"{escape(words[i])} · %{{x}}: %{{y:.3f}}<extra></extra>",
            ),
            i + 1,
            2,
        )
        fig.update_yaxes(range=[0, 1.1], showticklabels=False, row=i + 1, col=1)
        fig.update_yaxes(range=[-lim, lim], showticklabels=False, row=i + 1, col=2)
    fig.update_xaxes(title_text=x_one_hot, row=n, col=1)
    fig.update_xaxes(title_text=x_dense, row=n, col=2)
    fig.update_yaxes(title_text=y_title, row=(n + 1) // 2, col=1)
    fig.update_layout(title=title, height=90 + 55 * n, bargap=0.05, **_LAYOUT)
    return fig


def cosine_pair(
    left: np.ndarray, right: np.ndarray, words: Sequence[str], *, title: str, left_title: str, right_title: str
) -> go.Figure:
    """Two cosine matrices over the same words side by side (rows and columns are the words)."""
    labels = [escape(w) for w in words]
    fig = make_subplots(rows=1, cols=2, subplot_titles=[left_title, right_title], horizontal_spacing=0.12)
    for col, sim in ((1, left), (2, right)):
        fig.add_trace(
            go.Heatmap(
                z=np.asarray(sim),
                x=labels,
                y=labels,
                zmin=-1,
                zmax=1,
                colorscale="RdBu",
                reversescale=True,
                texttemplate="%{z:.2f}",
                showscale=col == 2,
                hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>",
            ),
            1,
            col,
        )
        fig.update_yaxes(autorange="reversed", row=1, col=col)
    fig.update_layout(title=title, height=420, **_LAYOUT)
    return fig


def memory_lines(
    vocab: np.ndarray,
    series: dict[str, np.ndarray],
    chosen: int,
    chosen_values: dict[str, float],
    *,
    title: str,
    x_title: str,
    y_title: str,
    chosen_label: str,
) -> go.Figure:
    """Bytes of each storage against |V| (log-log), the chosen |V| marked."""
    fig = go.Figure()
    colors = [ONE_HOT, "#9a9a9a", DENSE, "#4caf50"]
    for (name, ys), color in zip(series.items(), colors):
        fig.add_trace(
            go.Scatter(
                x=vocab,
                y=ys,
                mode="lines",
                name=name,
                line_color=color,
                hovertemplate="|V| = %{x:,}: %{y:.3s}B<extra>" + name + "</extra>",
            )
        )
        if name in chosen_values:
            fig.add_trace(
                go.Scatter(
                    x=[chosen],
                    y=[chosen_values[name]],
                    mode="markers+text",
                    showlegend=False,
                    marker=dict(color=color, size=10),
                    text=[human_bytes(chosen_values[name])],
                    textposition="top left",
                    hoverinfo="skip",
                )
            )
    fig.add_vline(x=chosen, line_dash="dot", line_color="gray")
    # annotations on a log axis take log10 coordinates (shapes take data values)
    fig.add_annotation(
        x=float(np.log10(chosen)),
        y=1,
        yref="paper",
        yanchor="bottom",
        text=chosen_label,
        showarrow=False,
        font=dict(color="gray"),
    )
    fig.update_xaxes(type="log", title_text=x_title)
    fig.update_yaxes(type="log", title_text=y_title, tickformat="~s")
    fig.update_layout(title=title, height=400, legend=dict(orientation="h", y=-0.25), **_LAYOUT)
    return fig


def human_bytes(nbytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if nbytes < 1000 or unit == "TB":
            return f"{nbytes:.3g} {unit}"
        nbytes /= 1000
    return f"{nbytes:.3g} TB"


def softmax_vs_hs(
    vocab: Sequence[int],
    cost: dict[str, Sequence[float]],
    measured: dict[str, Sequence[float]] | None,
    *,
    title: str,
    x_title: str,
    cost_title: str,
    ms_title: str,
    cost_panel: str,
    ms_panel: str,
) -> go.Figure:
    """Left: dot products per scored token (expected); right, once measured: ms per batch. Both log-log."""
    cols = 2 if measured else 1
    fig = make_subplots(rows=1, cols=cols, subplot_titles=[cost_panel, ms_panel][:cols], horizontal_spacing=0.12)
    colors = [ONE_HOT, DENSE, "#9a9a9a"]
    for (name, ys), color in zip(cost.items(), colors):
        fig.add_trace(
            go.Scatter(x=list(vocab), y=list(ys), mode="lines+markers", name=name, line_color=color, legendgroup=name),
            1,
            1,
        )
    if measured:
        for (name, ys), color in zip(measured.items(), colors):
            fig.add_trace(
                go.Scatter(
                    x=list(vocab),
                    y=list(ys),
                    mode="lines+markers",
                    name=name,
                    line_color=color,
                    line_dash="dash",
                    legendgroup=name,
                    showlegend=False,
                ),
                1,
                2,
            )
        fig.update_yaxes(type="log", title_text=ms_title, row=1, col=2)
        fig.update_xaxes(type="log", title_text=x_title, row=1, col=2)
    fig.update_xaxes(type="log", title_text=x_title, row=1, col=1)
    fig.update_yaxes(type="log", title_text=cost_title, row=1, col=1)
    fig.update_layout(title=title, height=400, legend=dict(orientation="h", y=-0.25), **_LAYOUT)
    return fig
