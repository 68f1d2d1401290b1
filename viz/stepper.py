"""Charts of step-through training (engine/embeddings/stepper.py): data in, plotly figure out (no st.* here). Every
title and label is passed in already translated."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots


def _limit(*arrays: np.ndarray) -> float:
    """A symmetric colour range around 0 that holds every value (never 0)."""
    m = max((float(np.abs(a).max()) for a in arrays if np.size(a)), default=0.0)
    return m if m > 0 else 1e-12


def rows_heatmap(
    before: np.ndarray,
    after: np.ndarray,
    grad: np.ndarray,
    update: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    title: str,
    panel_titles: Sequence[str],
    x_title: str,
    y_title: str,
) -> go.Figure:
    """Four panels over the same rows (one per touched parameter row) and columns (dimensions): the rows before
    and after the step on one shared colour scale, their gradient, and the update added (after − before)."""
    panels = [np.asarray(a, dtype=float) for a in (before, after, grad, update)]
    fig = make_subplots(rows=1, cols=4, shared_yaxes=True, horizontal_spacing=0.03, subplot_titles=list(panel_titles))
    axes = ("coloraxis", "coloraxis", "coloraxis2", "coloraxis3")
    rows, cols = [str(r) for r in row_labels], [str(c) for c in col_labels]
    for k, (z, axis) in enumerate(zip(panels, axes)):
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=cols,
                y=rows,
                coloraxis=axis,
                hovertemplate="%{y} · %{x}: %{z:.5g}<extra>" + str(panel_titles[k]) + "</extra>",
            ),
            row=1,
            col=k + 1,
        )
    limits = (_limit(panels[0], panels[1]), _limit(panels[2]), _limit(panels[3]))
    dom = [fig.layout[f"xaxis{k or ''}"].domain for k in (0, 2, 3, 4)]  # x ranges of the four panels
    spans = ((dom[0][0], dom[1][1]), dom[2], dom[3])  # before + after share one colour bar
    bars = {
        name: dict(
            colorscale="RdBu",
            reversescale=True,
            cmin=-lim,
            cmax=lim,
            colorbar=dict(
                orientation="h",
                x=sum(span) / 2,
                xanchor="center",
                len=span[1] - span[0],
                yref="container",  # in the bottom margin, under the axis titles
                y=0.0,
                yanchor="bottom",
                thickness=10,
            ),
        )
        for name, lim, span in zip(("coloraxis", "coloraxis2", "coloraxis3"), limits, spans)
    }
    height = max(300, 200 + 30 * len(rows))
    fig.update_layout(title=title, height=height, margin=dict(l=100, r=20, t=70, b=120), **bars)
    for k in range(4):
        fig.update_xaxes(title_text=x_title, type="category", row=1, col=k + 1)
    fig.update_yaxes(title_text=y_title, type="category", autorange="reversed", row=1, col=1)
    return fig


def loss_curve(
    steps: Sequence[int],
    before: Sequence[float],
    after: Sequence[float],
    *,
    title: str,
    x_title: str,
    y_title: str,
    names: Sequence[str],
    window: int = 50,
) -> go.Figure:
    """Each step's loss of its own pair / cell before and after the update, and the running mean of the losses
    before over the last `window` steps (one pair's loss is noisy: the mean shows the trend)."""
    steps, before, after = np.asarray(steps), np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=steps, y=before, mode="markers", name=names[0], marker=dict(size=5, opacity=0.6)))
    fig.add_trace(go.Scatter(x=steps, y=after, mode="markers", name=names[1], marker=dict(size=5, opacity=0.6)))
    if before.size:
        c = np.cumsum(np.r_[0.0, before])
        lo = np.maximum(np.arange(1, before.size + 1) - window, 0)
        mean = (c[1:] - c[lo]) / (np.arange(1, before.size + 1) - lo)
        fig.add_trace(go.Scatter(x=steps, y=mean, mode="lines", name=names[2], line=dict(width=2)))
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=320,
        margin=dict(l=50, r=20, t=50, b=40),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig
