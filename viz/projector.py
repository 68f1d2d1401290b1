"""The embedding projector's maps: words as points in 2-D or 3-D, a searched word and its neighbours highlighted."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

ROLES = ("word", "neighbour", "query")  # drawn in this order: highlighted points on top
STYLE = {
    "word": dict(color="#8c9bb0", size=5, opacity=0.75),
    "neighbour": dict(color="#f28e2b", size=9, opacity=1.0),
    "query": dict(color="#d62728", size=13, opacity=1.0, symbol="diamond"),
}
LABEL_ALL_UP_TO = 150  # beyond this many points only the highlighted ones carry a text label


def word_map(
    xy: np.ndarray,
    words: Sequence[str],
    roles: Sequence[str] | None = None,
    *,
    title: str,
    axis_titles: Sequence[str],
    role_names: Mapping[str, str] | None = None,
    height: int = 560,
) -> go.Figure:
    """A scatter of `words` at `xy` (n, 2) or (n, 3); `roles[i]` is "word", "neighbour" or "query" (one trace and
    colour each, named by `role_names`). Every point says its word on hover; labels are printed for the
    highlighted points, and for all when there are few."""
    xy = np.asarray(xy, dtype=np.float64)
    dims = xy.shape[1] if xy.ndim == 2 else 2
    roles = list(roles) if roles is not None else ["word"] * len(words)
    names = dict(role_names or {})
    label_all = len(words) <= LABEL_ALL_UP_TO
    fig = go.Figure()
    for role in ROLES:
        idx = [i for i, r in enumerate(roles) if r == role]
        if not idx:
            continue
        text = [words[i] for i in idx]
        style = STYLE[role]
        marker = dict(color=style["color"], size=style["size"], opacity=style["opacity"])
        if "symbol" in style:
            marker["symbol"] = style["symbol"]
        common = dict(
            name=names.get(role, role),
            text=text,
            hovertemplate="%{text}<extra></extra>",
            mode="markers+text" if (label_all or role != "word") else "markers",
            marker=marker,
            textfont=dict(size=11 if role == "word" else 13),
        )
        if dims == 3:
            marker["size"] = max(3, style["size"] - 2)
            fig.add_trace(go.Scatter3d(x=xy[idx, 0], y=xy[idx, 1], z=xy[idx, 2], **common))
        else:
            fig.add_trace(go.Scatter(x=xy[idx, 0], y=xy[idx, 1], textposition="top center", **common))
    labels = list(axis_titles) + [""] * 3
    layout = dict(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=60, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    if dims == 3:
        fig.update_layout(scene=dict(xaxis_title=labels[0], yaxis_title=labels[1], zaxis_title=labels[2]), **layout)
    else:
        fig.update_layout(xaxis_title=labels[0], yaxis_title=labels[1], **layout)
    return fig


def overlap_bars(words: Sequence[str], overlap: np.ndarray, *, title: str, x_title: str, y_title: str) -> go.Figure:
    """Horizontal bars: per word, the share of its neighbours two embeddings agree on (lowest first)."""
    order = np.argsort(np.asarray(overlap), kind="stable")
    fig = go.Figure(
        go.Bar(
            x=np.asarray(overlap)[order],
            y=[words[i] for i in order],
            orientation="h",
            marker_color="#4e79a7",
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        xaxis_range=[0, 1],
        height=max(260, 18 * len(words) + 120),
        margin=dict(l=10, r=10, t=60, b=10),
    )
    return fig
