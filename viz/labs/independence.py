"""Charts for the independence lab (bert-12): data in, plotly figure out; every label is passed in translated."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots


def joint_vs_product(
    joint: np.ndarray,
    product: np.ndarray,
    rows: Sequence[str],
    cols: Sequence[str],
    *,
    names: Sequence[str],
    title: str,
    x_title: str,
    y_title: str,
) -> go.Figure:
    """The true joint P(a, b) next to p(a)·q(b), the best two independent slot predictions can do."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=list(names), shared_yaxes=True, horizontal_spacing=0.06)
    zmax = float(max(joint.max(), product.max()))
    for c, z in enumerate((joint, product), start=1):
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=list(cols),
                y=list(rows),
                zmin=0,
                zmax=zmax,
                colorscale="Blues",
                showscale=c == 2,
                text=np.vectorize(lambda v: f"{v:.3f}")(z),
                texttemplate="%{text}",
                hovertemplate="%{y} %{x}: %{z:.4f}<extra></extra>",
            ),
            row=1,
            col=c,
        )
        fig.update_xaxes(title_text=x_title, row=1, col=c)
    fig.update_yaxes(title_text=y_title, autorange="reversed", row=1, col=1)
    fig.update_layout(title=title, height=330, margin=dict(l=60, r=20, t=70, b=40))
    return fig


def split_bars(
    names: Sequence[str], values: Sequence[float], *, title: str, y_title: str, x_title: str = ""
) -> go.Figure:
    """Share of touched multi-piece words that were only partly masked, per masking scheme."""
    fig = go.Figure(
        go.Bar(
            x=list(names),
            y=list(values),
            text=[f"{v:.1%}" for v in values],
            textposition="outside",
            marker_color=["#ff7f0e", "#2ca02c"],
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        yaxis_range=[0, 1.15],
        yaxis_tickformat=".0%",
        height=300,
        margin=dict(l=50, r=20, t=50, b=40),
    )
    return fig
