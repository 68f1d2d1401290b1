"""Charts for the label-leakage lab (bert-10): data in, plotly figure out; labels come translated."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

COLOURS = ("#d62728", "#1f77b4", "#2ca02c")  # leak, causal, MLM


def loss_curves(
    steps: Sequence[int],
    series: dict[str, Sequence[float]],
    floors: dict[str, float],
    *,
    title: str,
    x_title: str,
    y_title: str,
) -> go.Figure:
    """Held-out cross-entropy per model against the closed-form floors (horizontal dashed lines)."""
    fig = go.Figure(
        [
            go.Scatter(x=list(steps), y=list(v), mode="lines", name=k, line=dict(color=c))
            for (k, v), c in zip(series.items(), COLOURS)
        ]
    )
    for (name, value), dash in zip(floors.items(), ("dash", "dot")):
        fig.add_hline(
            y=value,
            line=dict(color="black", dash=dash, width=1.5),
            annotation_text=f"{name} = {value:.3f}",
            annotation_position="top right",
        )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=380,
        yaxis_rangemode="tozero",
        margin=dict(l=50, r=20, t=60, b=50),
        legend=dict(orientation="h", y=-0.2),
    )
    return fig


def attention_layers(
    att: np.ndarray, layer_names: Sequence[str], *, title: str, x_title: str, y_title: str
) -> go.Figure:
    """(layers, T, T) mean attention weights, one heatmap per layer (rows = query position i, columns = key j)."""
    n_layers, t, _ = att.shape
    fig = make_subplots(
        rows=1, cols=n_layers, subplot_titles=list(layer_names), shared_yaxes=True, horizontal_spacing=0.06
    )
    for c in range(n_layers):
        fig.add_trace(
            go.Heatmap(
                z=att[c],
                x=list(range(t)),
                y=list(range(t)),
                zmin=0,
                zmax=1,
                colorscale="Reds",
                showscale=c == n_layers - 1,
                hovertemplate="i=%{y} → j=%{x}: %{z:.2f}<extra></extra>",
            ),
            row=1,
            col=c + 1,
        )
        fig.update_xaxes(title_text=x_title, row=1, col=c + 1)
    fig.update_yaxes(autorange="reversed")
    fig.update_yaxes(title_text=y_title, row=1, col=1)
    fig.update_layout(title=title, height=380, margin=dict(l=50, r=20, t=70, b=50))
    return fig


def transition_heatmap(p: np.ndarray, *, title: str, x_title: str, y_title: str) -> go.Figure:
    """The chain's transition matrix P (rows: current state, columns: next state)."""
    s = p.shape[0]
    fig = go.Figure(
        go.Heatmap(
            z=p,
            x=list(range(s)),
            y=list(range(s)),
            zmin=0,
            zmax=1,
            colorscale="Blues",
            texttemplate="%{z:.2f}",
            hovertemplate="P(%{x} | %{y}) = %{z:.3f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title_text=y_title, dtick=1)
    fig.update_xaxes(title_text=x_title, dtick=1)
    fig.update_layout(title=title, height=320, margin=dict(l=50, r=20, t=60, b=50))
    return fig
