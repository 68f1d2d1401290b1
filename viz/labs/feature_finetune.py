"""Charts for the feature-based vs fine-tuning lab (bert-07-2). Data in, plotly figure out; labels translated."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

COLOURS = {"features": "#1f77b4", "finetune": "#d62728"}


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 320) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=height,
        margin=dict(l=60, r=20, t=50, b=40),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def trainable_bars(
    parts: dict[str, dict[str, int]], part_names: dict[str, str], *, title: str, x_title: str, y_title: str
) -> go.Figure:
    """Stacked bars of trainable parameters per mode (log axis: a few hundred vs hundreds of thousands)."""
    fig = go.Figure()
    modes = list(parts)
    for key, label in part_names.items():
        ys = [parts[m].get(key, 0) for m in modes]
        fig.add_trace(
            go.Bar(x=modes, y=[y if y > 0 else None for y in ys], name=label, text=[f"{y:,}" if y else "" for y in ys])
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(type="log")
    return _layout(fig, title, x_title, y_title)


def accuracy_curves(
    steps: dict[str, Sequence[int]],
    accs: dict[str, Sequence[float]],
    *,
    chance: float,
    chance_name: str,
    title: str,
    x_title: str,
    y_title: str,
) -> go.Figure:
    fig = go.Figure()
    for i, (name, ys) in enumerate(accs.items()):
        fig.add_trace(
            go.Scatter(
                x=list(steps[name]),
                y=list(ys),
                mode="lines+markers",
                name=name,
                line=dict(color=list(COLOURS.values())[i % 2]),
            )
        )
    xs = [s for v in steps.values() for s in v]
    if xs:
        fig.add_trace(
            go.Scatter(
                x=[min(xs), max(xs)],
                y=[chance, chance],
                mode="lines",
                name=chance_name,
                line=dict(color="#888", dash="dot"),
            )
        )
    fig.update_yaxes(range=[0, 1.02])
    return _layout(fig, title, x_title, y_title)


def mix_weights(
    weights: Sequence[float], layer_names: Sequence[str], *, title: str, x_title: str, y_title: str
) -> go.Figure:
    """softmax(w): how much each layer contributes to the feature-based representation (sums to 1)."""
    fig = go.Figure(
        go.Bar(
            x=list(layer_names),
            y=list(weights),
            text=[f"{w:.2f}" for w in weights],
            marker_color=COLOURS["features"],
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=list(layer_names),
            y=[1 / len(weights)] * len(weights),
            mode="lines",
            line=dict(color="#888", dash="dot"),
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.update_yaxes(range=[0, 1])
    return _layout(fig, title, x_title, y_title)
