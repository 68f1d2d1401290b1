"""Pretrained-models charts: data in, plotly figure out (no st.* here). Every text arrives translated."""

from __future__ import annotations

from html import escape
from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

_LAYOUT = dict(margin=dict(l=50, r=30, t=50, b=50))


def mask_heatmap(
    mask: np.ndarray, tokens: Sequence[str], *, title: str, x_title: str, y_title: str, yes: str = "yes", no: str = "no"
) -> go.Figure:
    """M[i, j] drawn with query i down, key j across; hover says whether i may see j."""
    m = np.asarray(mask).astype(int)
    labels = [f"{i}:{escape(tok)}" for i, tok in enumerate(tokens)]  # plotly reads <...> as HTML
    text = [[yes if v else no for v in row] for row in m]
    fig = go.Figure(
        go.Heatmap(
            z=m,
            x=labels,
            y=labels,
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=2,
            ygap=2,
            colorscale=[[0, "#eef1f5"], [1, "#2f6fdf"]],
            text=text,
            hovertemplate="%{y} → %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=360, **_LAYOUT)
    fig.update_yaxes(autorange="reversed")
    return fig


def cosine_heatmap(sim: np.ndarray, words: Sequence[str], *, title: str) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=sim,
            x=list(words),
            y=list(words),
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            reversescale=True,
            texttemplate="%{z:.2f}",
        )
    )
    fig.update_layout(title=title, height=360, **_LAYOUT)
    fig.update_yaxes(autorange="reversed")
    return fig


def grouped_bars(
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    x_title: str,
    y_title: str,
    log_y: bool = False,
    text_format: str = ".3g",
) -> go.Figure:
    fig = go.Figure(
        [
            go.Bar(
                name=name,
                x=list(categories),
                y=list(vals),
                texttemplate=f"%{{y:{text_format}}}",
                textposition="outside",
            )
            for name, vals in series.items()
        ]
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        barmode="group",
        height=360,
        legend=dict(orientation="h", y=-0.25),
        **_LAYOUT,
    )
    if log_y:
        fig.update_yaxes(type="log")
    return fig


def token_probabilities(
    tokens: Sequence[str],
    probs: Sequence[float],
    running_ppl: Sequence[float],
    *,
    title: str,
    x_title: str,
    y_title: str,
    ppl_title: str,
) -> go.Figure:
    """Bars: p(token | history); line on a second axis: perplexity of the text so far."""
    x = [f"{i}:{escape(tok)}" for i, tok in enumerate(tokens)]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=x, y=list(probs), name=y_title, texttemplate="%{y:.2f}"), secondary_y=False)
    fig.add_trace(go.Scatter(x=x, y=list(running_ppl), name=ppl_title, mode="lines+markers"), secondary_y=True)
    fig.update_yaxes(title_text=y_title, range=[0, 1.05], secondary_y=False)
    fig.update_yaxes(title_text=ppl_title, type="log", secondary_y=True)
    fig.update_layout(title=title, xaxis_title=x_title, height=380, legend=dict(orientation="h", y=-0.3), **_LAYOUT)
    return fig


def next_token_bars(
    tokens: Sequence[str], probs: Sequence[float], *, title: str, x_title: str, y_title: str
) -> go.Figure:
    labels = [escape(repr(tk)[1:-1]) or "␠" for tk in tokens]
    fig = go.Figure(go.Bar(x=list(probs)[::-1], y=labels[::-1], orientation="h", texttemplate="%{x:.3f}"))
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=380, **_LAYOUT)
    return fig


def compression_bars(
    names: Sequence[str],
    kib: Sequence[float],
    latency: Sequence[float],
    accuracy: Sequence[float],
    *,
    title: str,
    size_title: str,
    latency_title: str,
    accuracy_title: str,
) -> go.Figure:
    fig = make_subplots(rows=1, cols=3, subplot_titles=(size_title, latency_title, accuracy_title))
    for col, vals, fmt in ((1, kib, ".0f"), (2, latency, ".2f"), (3, accuracy, ".1%")):
        fig.add_trace(
            go.Bar(
                x=list(names),
                y=list(vals),
                texttemplate=f"%{{y:{fmt}}}",
                textposition="outside",
                showlegend=False,
                marker_color=["#2f6fdf"] + ["#7aa6ef"] * (len(names) - 1),
            ),
            row=1,
            col=col,
        )
    fig.update_yaxes(title_text=size_title, row=1, col=1)
    fig.update_yaxes(title_text=latency_title, row=1, col=2)
    fig.update_yaxes(title_text=accuracy_title, range=[0, 1.1], tickformat=".0%", row=1, col=3)
    fig.update_layout(title=title, height=400, **_LAYOUT)
    return fig


def attention_memory(
    n: np.ndarray,
    gib: np.ndarray,
    limit_gib: float,
    *,
    title: str,
    x_title: str,
    y_title: str,
    limit_label: str,
    bert_label: str,
) -> go.Figure:
    fig = go.Figure(go.Scatter(x=n, y=gib, mode="lines", name=y_title))
    fig.add_hline(y=limit_gib, line_dash="dash", line_color="crimson", annotation_text=limit_label)
    fig.add_vline(x=512, line_dash="dot", line_color="gray", annotation_text=bert_label)
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=380, **_LAYOUT)
    lo = float(np.log10(max(min(float(np.min(gib)), limit_gib) / 3, 1e-12)))
    hi = float(np.log10(max(float(np.max(gib)), limit_gib) * 3))
    fig.update_xaxes(type="log")
    fig.update_yaxes(type="log", range=[lo, hi])  # explicit: shape annotations otherwise stretch a log axis
    return fig


def sunburst(ids: Sequence[str], parents: Sequence[str], labels: Sequence[str], *, title: str) -> go.Figure:
    fig = go.Figure(
        go.Sunburst(
            ids=list(ids), parents=list(parents), labels=list(labels), maxdepth=3, insidetextorientation="radial"
        )
    )
    fig.update_layout(title=title, height=560, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def layer_diagram(
    layers: Sequence[str],
    trainable: Sequence[float],
    *,
    title: str,
    x_title: str,
    frozen_label: str,
    trainable_label: str,
    y_title: str = "",
) -> go.Figure:
    """One horizontal bar per layer (bottom = embeddings), coloured by the share of it that trains."""
    colors = ["#c9ced6" if v == 0 else "#2f6fdf" if v == 1 else "#7aa6ef" for v in trainable]
    text = [frozen_label if v == 0 else trainable_label if v == 1 else f"{v:.0%}" for v in trainable]
    fig = go.Figure(
        go.Bar(
            x=[1] * len(layers),
            y=list(layers),
            orientation="h",
            marker_color=colors,
            text=text,
            textposition="inside",
            hoverinfo="y+text",
        )
    )
    fig.update_layout(title=title, xaxis=dict(visible=False, title=x_title), yaxis_title=y_title, height=320, **_LAYOUT)
    return fig


def lines(
    x: Sequence[float], series: dict[str, Sequence[float]], *, title: str, x_title: str, y_title: str
) -> go.Figure:
    fig = go.Figure([go.Scatter(x=list(x), y=list(v), mode="lines", name=k) for k, v in series.items()])
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=340,
        legend=dict(orientation="h", y=-0.25),
        **_LAYOUT,
    )
    return fig
