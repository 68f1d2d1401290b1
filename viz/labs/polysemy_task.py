"""Charts for the polysemy lab (bert-13-2). Data in, plotly figure out; labels translated."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go


def seed_bars(
    seeds: Sequence[int], accs: dict[str, Sequence[float]], *, chance_name: str, title: str, x_title: str, y_title: str
) -> go.Figure:
    """Validation accuracy per seed, one bar group per seed, with the 50% chance line."""
    fig = go.Figure()
    xs = [str(s) for s in seeds]
    for (name, ys), colour in zip(accs.items(), ("#7f7f7f", "#d62728")):
        fig.add_trace(go.Bar(x=xs, y=list(ys), name=name, marker_color=colour, text=[f"{y:.2f}" for y in ys]))
    fig.add_hline(
        y=0.5, line=dict(color="#333", dash="dot"), annotation_text=chance_name, annotation_position="top left"
    )
    fig.update_yaxes(range=[0, 1.05])
    fig.update_xaxes(type="category")
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        barmode="group",
        height=340,
        margin=dict(l=50, r=20, t=50, b=40),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def cosine_bars(names: Sequence[str], cosines: Sequence[float], *, title: str, x_title: str, y_title: str) -> go.Figure:
    """cos(vector of the word in sentence 1, in sentence 2): 1 for a lookup table, anything for context."""
    fig = go.Figure(
        go.Bar(
            x=list(cosines),
            y=list(names),
            orientation="h",
            text=[f"{c:.3f}" for c in cosines],
            marker_color=["#7f7f7f", "#d62728"][: len(names)],
        )
    )
    fig.update_xaxes(range=[-1.05, 1.05])
    fig.update_layout(
        title=title, xaxis_title=x_title, yaxis_title=y_title, height=240, margin=dict(l=140, r=20, t=50, b=40)
    )
    return fig
