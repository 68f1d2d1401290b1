"""The coach's chart: how well each chapter is remembered now (mean FSRS retrievability of its cards). No st.* here."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

_LAYOUT = dict(margin=dict(l=50, r=30, t=50, b=50))
# red (forgotten) -> amber -> green (remembered), sampled at the bar's retrievability
SCALE = [[0.0, "#d9534f"], [0.5, "#f0ad4e"], [1.0, "#2e9e5b"]]


def mastery(
    chapters: Sequence[str],
    retrievability: Sequence[float],
    cards: Sequence[int],
    due: Sequence[int],
    *,
    title: str,
    x_title: str,
    y_title: str,
    cards_label: str,
    due_label: str,
) -> go.Figure:
    """One bar per chapter: its mean probability of recall now, in [0, 1], coloured on SCALE, with the chapter's
    number of cards and cards due in the hover text."""
    r = [min(max(float(v), 0.0), 1.0) for v in retrievability]
    hover = [
        f"{c}<br>{y_title}: {v:.0%}<br>{cards_label}: {n}<br>{due_label}: {d}"
        for c, v, n, d in zip(chapters, r, cards, due)
    ]
    fig = go.Figure(
        go.Bar(
            x=list(chapters),
            y=r,
            marker=dict(color=r, colorscale=SCALE, cmin=0.0, cmax=1.0),
            text=[f"{v:.0%}" for v in r],
            textposition="outside",
            hovertext=hover,
            hoverinfo="text",
        )
    )
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=320, **_LAYOUT)
    fig.update_yaxes(range=[0, 1.1], tickformat=".0%")
    return fig
