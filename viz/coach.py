"""The coach's chart: how well each chapter is remembered now. No st.* here.

Two bars per chapter: the mean FSRS retrievability of its cards (the probability of recall now, the issue's mastery
measure) and the share of its cards whose last answer was right. They differ on purpose: just after a wrong answer
FSRS's retrievability is still near 1 (no time has passed) and falls fast, so the second bar keeps the chart honest
in the minutes after a mistake."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

_LAYOUT = dict(margin=dict(l=50, r=30, t=50, b=50))
# red (forgotten) -> amber -> green (remembered), sampled at the bar's retrievability
SCALE = [[0.0, "#d9534f"], [0.5, "#f0ad4e"], [1.0, "#2e9e5b"]]
RIGHT_COLOUR = "#8c9bab"


def _unit(values: Sequence[float]) -> list[float]:
    return [min(max(float(v), 0.0), 1.0) for v in values]


def mastery(
    chapters: Sequence[str],
    retrievability: Sequence[float],
    cards: Sequence[int],
    due: Sequence[int],
    last_right: Sequence[float],
    *,
    title: str,
    x_title: str,
    y_title: str,
    recall_label: str,
    right_label: str,
    cards_label: str,
    due_label: str,
) -> go.Figure:
    """Per chapter: mean retrievability in [0, 1] coloured on SCALE (hover: cards, cards due) and the share of cards
    whose last answer was right, grouped."""
    r, right = _unit(retrievability), _unit(last_right)
    hover = [
        f"{c}<br>{recall_label}: {v:.0%}<br>{cards_label}: {n}<br>{due_label}: {d}"
        for c, v, n, d in zip(chapters, r, cards, due)
    ]
    fig = go.Figure(
        [
            go.Bar(
                name=recall_label,
                x=list(chapters),
                y=r,
                marker=dict(color=r, colorscale=SCALE, cmin=0.0, cmax=1.0),
                text=[f"{v:.0%}" for v in r],
                textposition="outside",
                hovertext=hover,
                hoverinfo="text",
            ),
            go.Bar(
                name=right_label,
                x=list(chapters),
                y=right,
                marker_color=RIGHT_COLOUR,
                text=[f"{v:.0%}" for v in right],
                textposition="outside",
                hovertemplate=f"%{{x}}<br>{right_label}: %{{y:.0%}}<extra></extra>",
            ),
        ]
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        barmode="group",
        height=340,
        legend=dict(orientation="h", y=-0.3),
        **_LAYOUT,
    )
    fig.update_yaxes(range=[0, 1.15], tickformat=".0%")
    return fig
