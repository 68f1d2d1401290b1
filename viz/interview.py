"""Interview-page charts: quiz scores and the two mini-labs (multi-task sharing, noisy labels). No st.* here."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

_LAYOUT = dict(margin=dict(l=50, r=30, t=50, b=50))


def chapter_scores(
    chapters: Sequence[str],
    right: Sequence[int],
    answered: Sequence[int],
    *,
    title: str,
    right_label: str,
    wrong_label: str,
    y_title: str,
) -> go.Figure:
    fig = go.Figure(
        [
            go.Bar(name=right_label, x=list(chapters), y=list(right), marker_color="#2e9e5b"),
            go.Bar(
                name=wrong_label, x=list(chapters), y=[a - r for a, r in zip(answered, right)], marker_color="#d9534f"
            ),
        ]
    )
    fig.update_layout(
        title=title, barmode="stack", yaxis_title=y_title, height=300, legend=dict(orientation="h", y=-0.25), **_LAYOUT
    )
    return fig


def multitask_curves(
    steps: Sequence[int],
    val_a: Sequence[float],
    val_b: Sequence[float],
    distance: Sequence[float],
    *,
    title: str,
    x_title: str,
    loss_title: str,
    distance_title: str,
    task_a: str,
    task_b: str,
) -> go.Figure:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=list(steps), y=list(val_a), name=task_a), secondary_y=False)
    fig.add_trace(go.Scatter(x=list(steps), y=list(val_b), name=task_b), secondary_y=False)
    fig.add_trace(
        go.Scatter(x=list(steps), y=list(distance), name=distance_title, line=dict(dash="dot")), secondary_y=True
    )
    fig.update_yaxes(title_text=loss_title, secondary_y=False)
    fig.update_yaxes(title_text=distance_title, secondary_y=True)
    fig.update_layout(title=title, xaxis_title=x_title, height=360, legend=dict(orientation="h", y=-0.25), **_LAYOUT)
    return fig


def reliability(bins: list[dict], *, title: str, x_title: str, y_title: str, ideal: str) -> go.Figure:
    """Accuracy vs confidence per bin; the diagonal is perfect calibration."""
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=ideal, line=dict(dash="dash", color="gray")))
    fig.add_trace(
        go.Scatter(
            x=[b["confidence"] for b in bins],
            y=[b["accuracy"] for b in bins],
            name=y_title,
            mode="lines+markers",
            marker=dict(size=[6 + min(b["n"], 300) / 15 for b in bins]),
            text=[f"n = {b['n']}" for b in bins],
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=360,
        xaxis=dict(range=[0, 1.02]),
        yaxis=dict(range=[0, 1.02]),
        **_LAYOUT,
    )
    return fig


def bars(
    categories: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    x_title: str,
    y_title: str,
    fmt: str = ".2f",
    y_range: tuple[float, float] | None = None,
) -> go.Figure:
    fig = go.Figure(go.Bar(x=list(categories), y=list(values), texttemplate=f"%{{y:{fmt}}}", textposition="outside"))
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=320, **_LAYOUT)
    if y_range:
        fig.update_yaxes(range=list(y_range))
    return fig
