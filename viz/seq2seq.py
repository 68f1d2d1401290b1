"""Charts for tf-08 (seq2seq vs attention by length): data in, plotly figure out. No st.* here.

Titles and axis titles come in as arguments, so the page passes them in the current language."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

_MARGIN = dict(l=50, r=20, t=50, b=50)
_DASH = ("solid", "dash", "dot")


def accuracy_by_length(
    lengths: Sequence[int],
    curves: Mapping[str, Sequence[float]],
    *,
    chance: float | None = None,
    chance_label: str = "",
    title: str = "",
    x_title: str = "",
    y_title: str = "",
) -> go.Figure:
    """One line per model: token accuracy (0..1) against the source length; optional dotted chance level."""
    fig = go.Figure()
    for i, (name, values) in enumerate(curves.items()):
        fig.add_trace(
            go.Scatter(
                x=list(lengths),
                y=list(values),
                mode="lines+markers",
                name=name,
                line=dict(dash=_DASH[i % len(_DASH)], width=3),
                hovertemplate="%{x}: %{y:.1%}<extra>" + name + "</extra>",
            )
        )
    if chance is not None:
        fig.add_hline(
            y=chance,
            line=dict(dash="dot", color="grey"),
            annotation_text=chance_label,
            annotation_position="bottom right",
        )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        margin=_MARGIN,
        height=380,
        legend=dict(orientation="h", y=-0.2),
    )
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    return fig


def alignment(
    weights,
    out_labels: Sequence[str],
    src_labels: Sequence[str],
    *,
    title: str = "",
    x_title: str = "",
    y_title: str = "",
) -> go.Figure:
    """An alignment matrix (Tt, Ts): row t = how output step t spreads its attention over the source (sums to 1)."""
    z = weights.detach().cpu().numpy() if hasattr(weights, "detach") else np.asarray(weights)
    rows = [f"{i + 1}·{s}" for i, s in enumerate(out_labels)]
    cols = [f"{j + 1}·{s}" for j, s in enumerate(src_labels)]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=cols,
            y=rows,
            zmin=0,
            zmax=1,
            colorscale="Blues",
            hovertemplate="%{y} → %{x}: %{z:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        margin=_MARGIN,
        height=min(640, max(300, 14 * len(rows) + 140)),
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return fig
