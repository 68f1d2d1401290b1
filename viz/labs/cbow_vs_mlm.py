"""Charts for the CBOW-vs-MLM lab (bert-06-3): data in, plotly figure out; every label is passed in translated."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

# cell colours: outside the window, context (input), target
CBOW_COLOURS = ["#f3f3f3", "#9ecae1", "#d62728"]


def cbow_grid(
    words: Sequence[str], window: int, *, title: str, x_title: str, y_title: str, names: Sequence[str]
) -> go.Figure:
    """One row per CBOW example (every word in turn is the target), one column per word of the sentence."""
    n = len(words)
    z = np.zeros((n, n))
    for i in range(n):
        z[i, max(0, i - window) : min(n, i + window + 1)] = 1
        z[i, i] = 2
    scale = [[v, CBOW_COLOURS[i]] for i in range(3) for v in (i / 3, (i + 1) / 3)]
    text = [[w if z[i, j] else "" for j, w in enumerate(words)] for i in range(n)]
    hover = [[names[int(v)] for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            text=text,
            texttemplate="%{text}",
            zmin=-0.5,
            zmax=2.5,
            colorscale=scale,
            showscale=False,
            xgap=2,
            ygap=2,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    for i, name in enumerate(names):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                marker=dict(size=12, color=CBOW_COLOURS[i], symbol="square"),
            )
        )
    fig.update_xaxes(title_text=x_title, showgrid=False)
    fig.update_yaxes(title_text=y_title, autorange="reversed", showgrid=False)
    fig.update_layout(
        title=title,
        plot_bgcolor="white",
        height=max(260, 26 * n + 130),
        margin=dict(l=50, r=20, t=50, b=40),
        legend=dict(orientation="h", y=-0.15),
    )
    return fig


def target_counts(
    counts: np.ndarray,
    pmf: np.ndarray,
    n: int,
    *,
    title: str,
    x_title: str,
    y_title: str,
    observed: str,
    expected: str,
    cbow: str,
) -> go.Figure:
    """Share of maskings with k targets, the Binomial(n, p) pmf on top, and CBOW's constant n."""
    k = np.arange(n + 1)
    share = np.bincount(counts, minlength=n + 1)[: n + 1] / max(len(counts), 1)
    fig = go.Figure(
        [
            go.Bar(x=k, y=share, name=observed, marker_color="#ff7f0e", opacity=0.8),
            go.Scatter(x=k, y=pmf, name=expected, mode="lines+markers", line=dict(color="#1f77b4")),
        ]
    )
    # CBOW's count is always n: a line, not a bar of height 1 that would flatten the binomial
    fig.add_vline(
        x=n,
        line=dict(color="#d62728", width=3, dash="dash"),
        annotation_text=cbow,
        annotation_position="top left",
        annotation_font_color="#d62728",
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=340,
        barmode="overlay",
        xaxis_range=[-0.6, n + 0.6],
        margin=dict(l=50, r=20, t=50, b=40),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def cosine_bars(
    names: Sequence[str], values: Sequence[float], *, title: str, y_title: str, x_title: str = ""
) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=list(names),
            y=list(values),
            text=[f"{v:.3f}" for v in values],
            textposition="outside",
            marker_color=["#7f7f7f", "#2ca02c"],
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        yaxis_range=[min(0.0, *values) - 0.05, 1.15],
        height=300,
        margin=dict(l=50, r=20, t=50, b=40),
    )
    return fig
