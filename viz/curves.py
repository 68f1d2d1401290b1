"""Training curves: data in, plotly figure out (no st.* here)."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

from engine.core.train import Progress


def _decimate(points: list, max_points: int) -> list:
    """At most ~max_points evenly strided points, always keeping the first and the last."""
    if len(points) <= max_points:
        return points
    stride = -(-len(points) // max_points)
    return list(points[::stride]) + ([points[-1]] if (len(points) - 1) % stride else [])


def loss_curve(
    history: Sequence[Progress],
    *,
    metric: str | None = None,
    metric_name: str | None = None,
    title: str = "",
    x_title: str = "step",
    y_title: str = "loss",
    max_points: int = 400,
) -> go.Figure:
    """Loss per step; if `metric` names a key of Progress.metrics, it is drawn on a second y axis (titled
    `metric_name`). A long run redraws every second, so both series are decimated to ~max_points; the metric is
    picked from the whole history first (evaluations are sparse: decimating the steps would drop most of them)."""
    pts = _decimate([(p.step, p.metrics[metric]) for p in history if metric in p.metrics], max_points) if metric else []
    history = _decimate(list(history), max_points)
    steps = [p.step for p in history]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=steps, y=[p.loss for p in history], mode="lines", name=y_title))
    if pts:
        name = metric_name or metric
        fig.add_trace(
            go.Scatter(
                x=[s for s, _ in pts],
                y=[v for _, v in pts],
                mode="lines+markers" if len(pts) < 40 else "lines",
                name=name,
                yaxis="y2",
            )
        )
        fig.update_layout(yaxis2=dict(title=name, overlaying="y", side="right", showgrid=False))
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=300,
        margin=dict(l=40, r=40, t=40, b=40),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig
