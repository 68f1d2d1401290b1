"""Charts for the MLM-vs-causal-LM lab (bert-06-1, 07-3, 08): data in, plotly figure out; labels come translated."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

MODEL_COLOURS = ("#1f77b4", "#ff7f0e")  # MLM, causal LM


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title=title, height=height, margin=dict(l=50, r=20, t=70, b=50), legend=dict(orientation="h", y=-0.2)
    )
    return fig


def topk_pair(
    tops: dict[str, list[tuple[str, float]]], *, title: str, x_title: str, y_title: str, colour: str = MODEL_COLOURS[0]
) -> go.Figure:
    """One subplot per context version (e.g. original / edited right context): the top-k pieces as bars."""
    names = list(tops)
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names, horizontal_spacing=0.15)
    for c, name in enumerate(names, start=1):
        top = tops[name]
        fig.add_trace(
            go.Bar(
                x=[p for _, p in top][::-1],
                y=[w for w, _ in top][::-1],
                orientation="h",
                marker_color=colour,
                showlegend=False,
                texttemplate="%{x:.1%}",
            ),
            row=1,
            col=c,
        )
        fig.update_xaxes(title_text=x_title, tickformat=".2~%", row=1, col=c)
        fig.update_yaxes(title_text=y_title, row=1, col=c)
    return _layout(fig, title, 300)


def mask_grid(
    masks: dict[str, np.ndarray],
    labels: Sequence[str],
    *,
    title: str,
    x_title: str,
    y_title: str,
    row: int | None = None,
    colour: str = "#1f77b4",
) -> go.Figure:
    """Side-by-side "may row i see column j?" grids (1 = yes), e.g. causal (tril) vs full; `row` is outlined."""
    names = list(masks)
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names, shared_yaxes=True, horizontal_spacing=0.05)
    n = len(labels)
    for c, name in enumerate(names, start=1):
        fig.add_trace(
            go.Heatmap(
                z=np.asarray(masks[name]).astype(int),
                x=list(labels),
                y=list(labels),
                zmin=0,
                zmax=1,
                colorscale=[[0, "#f2f2f2"], [1, colour]],
                showscale=False,
                xgap=1,
                ygap=1,
                hovertemplate="%{y} → %{x}: %{z}<extra></extra>",
            ),
            row=1,
            col=c,
        )
        fig.update_xaxes(title_text=x_title, tickangle=-60, row=1, col=c)
        if row is not None:
            fig.add_shape(
                type="rect",
                x0=-0.5,
                x1=n - 0.5,
                y0=row - 0.5,
                y1=row + 0.5,
                line=dict(color="#d62728", width=2),
                row=1,
                col=c,
            )
    fig.update_yaxes(autorange="reversed")
    fig.update_yaxes(title_text=y_title, row=1, col=1)
    return _layout(fig, title, max(320, 22 * n + 160))


def influence_bars(
    values: dict[str, np.ndarray],
    labels: Sequence[str],
    *,
    position: int,
    title: str,
    x_title: str,
    y_title: str,
    hidden_label: str,
) -> go.Figure:
    """Per input token j, each model's gradient size at the hidden position, scaled to its own maximum (1)."""
    fig = go.Figure()
    for (name, v), colour in zip(values.items(), MODEL_COLOURS):
        v = np.asarray(v, dtype=float)
        fig.add_trace(go.Bar(x=list(labels), y=v / v.max() if v.max() > 0 else v, name=name, marker_color=colour))
    fig.add_vrect(
        x0=position - 0.5,
        x1=position + 0.5,
        fillcolor="#d62728",
        opacity=0.12,
        line_width=0,
        annotation_text=hidden_label,
        annotation_position="top left",
    )
    fig.update_layout(barmode="group", xaxis_title=x_title, yaxis_title=y_title, yaxis_range=[0, 1.2])
    return _layout(fig, title, 320)
