"""Training curves: data in, plotly figure out (no st.* here)."""
from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

from engine.train import Progress


def loss_curve(history: Sequence[Progress], *, metric: str | None = None, title: str = "",
               x_title: str = "step", y_title: str = "loss", max_points: int = 400) -> go.Figure:
    """Loss per step; if `metric` names a key of Progress.metrics, it is drawn on a second y axis."""
    if len(history) > max_points:  # a long run redraws every second: keep the figure small
        stride = -(-len(history) // max_points)
        history = list(history[::stride]) + ([history[-1]] if (len(history) - 1) % stride else [])
    steps = [p.step for p in history]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=steps, y=[p.loss for p in history], mode="lines", name=y_title))
    if metric:
        pts = [(p.step, p.metrics[metric]) for p in history if metric in p.metrics]
        if pts:
            fig.add_trace(go.Scatter(x=[s for s, _ in pts], y=[v for _, v in pts], mode="lines",
                                     name=metric, yaxis="y2"))
            fig.update_layout(yaxis2=dict(title=metric, overlaying="y", side="right", showgrid=False))
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=300,
                      margin=dict(l=40, r=40, t=40, b=40), legend=dict(orientation="h", y=-0.25))
    return fig
