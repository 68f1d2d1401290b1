"""Charts for the dropout lab (misc-13, bert-07-5): data in, plotly figure out; labels are passed in translated."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

COLOURS = ["#1f77b4", "#d62728"]


def train_val_curves(
    steps: Sequence[int],
    curves: dict[str, tuple[Sequence[float], Sequence[float]]],
    *,
    train_name: str,
    val_name: str,
    title: str,
    x_title: str,
    y_title: str,
) -> go.Figure:
    """One colour per model: training accuracy dashed, validation accuracy solid."""
    fig = go.Figure()
    for i, (name, (train, val)) in enumerate(curves.items()):
        colour = COLOURS[i % len(COLOURS)]
        fig.add_trace(
            go.Scatter(
                x=list(steps),
                y=list(train),
                mode="lines",
                name=f"{name} · {train_name}",
                line=dict(color=colour, dash="dash"),
            )
        )
        fig.add_trace(
            go.Scatter(
                x=list(steps),
                y=list(val),
                mode="lines+markers",
                name=f"{name} · {val_name}",
                line=dict(color=colour),
                marker=dict(size=4),
            )
        )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        yaxis_tickformat=".0%",
        height=340,
        margin=dict(l=50, r=20, t=50, b=40),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig
