"""Charts for the ELMo-vs-BERT XOR lab (bert-07-1): data in, plotly figure out; labels come translated."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

from viz.labs.mlm_causal import mask_grid  # noqa: F401 - the dependency grids are the same "can i see j?" picture

COLOURS = ("#ff7f0e", "#1f77b4")  # ELMo-style, BERT-style


def accuracy_curves(
    steps: Sequence[int], series: dict[str, Sequence[float]], *, title: str, x_title: str, y_title: str, chance: str
) -> go.Figure:
    """Held-out accuracy per model, with the 50% chance line."""
    fig = go.Figure(
        [
            go.Scatter(x=list(steps), y=list(v), mode="lines+markers", name=k, line=dict(color=c))
            for (k, v), c in zip(series.items(), COLOURS)
        ]
    )
    fig.add_hline(
        y=0.5, line=dict(color="grey", dash="dash"), annotation_text=chance, annotation_position="bottom right"
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        yaxis_tickformat=".0%",
        yaxis_range=[0.3, 1.05],
        height=340,
        margin=dict(l=50, r=20, t=60, b=50),
        legend=dict(orientation="h", y=-0.2),
    )
    return fig
