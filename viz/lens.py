"""Charts of the language-model lens (views/pretrained_models/lens*.py): data in, plotly figure out, no st.* here.
Every text arrives translated; token labels arrive as they should read and are escaped here (plotly reads <...> as
HTML)."""

from __future__ import annotations

from html import escape
from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

_LAYOUT = dict(margin=dict(l=60, r=30, t=60, b=50))
KEPT, DROPPED, FINAL = "#2f6fdf", "#c5ccd6", "#e07b00"


def esc(text: str) -> str:
    """&, < and > as entities (plotly reads <...> as HTML; it shows &quot; literally, so quotes stay)."""
    return escape(text, quote=False)


def _labels(tokens: Sequence[str]) -> list[str]:
    """`i·token`: repeated tokens stay distinct categories."""
    return [f"{i}·{esc(tok)}" for i, tok in enumerate(tokens)]


def token_counts(names: Sequence[str], counts: Sequence[int], *, title: str, x_title: str, y_title: str) -> go.Figure:
    fig = go.Figure(
        go.Bar(x=[esc(n) for n in names], y=list(counts), text=list(counts), textposition="auto", marker_color=KEPT)
    )
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=320, **_LAYOUT)
    return fig


def sampling_bars(
    tokens: Sequence[str],
    probs: Sequence[float],
    final: Sequence[float],
    kept: Sequence[bool],
    *,
    title: str,
    x_title: str,
    y_title: str,
    kept_name: str,
    dropped_name: str,
    final_name: str,
) -> go.Figure:
    """The most likely next tokens (most likely on top): softmax(logits / T) as bars, blue when top-k and top-p
    keep the token, grey when they drop it; the renormalised distribution actually sampled from as dots."""
    labels = [f"{i + 1}. {esc(tok)}" for i, tok in enumerate(tokens)]
    kept = list(kept)
    fig = go.Figure()
    for flag, name, colour in ((True, kept_name, KEPT), (False, dropped_name, DROPPED)):
        idx = [i for i, k in enumerate(kept) if k == flag]
        fig.add_bar(
            x=[probs[i] for i in idx], y=[labels[i] for i in idx], orientation="h", name=name, marker_color=colour
        )
    idx = [i for i, k in enumerate(kept) if k]  # the dropped tokens have 0 there
    fig.add_scatter(
        x=[final[i] for i in idx],
        y=[labels[i] for i in idx],
        mode="markers",
        name=final_name,
        marker=dict(color=FINAL, size=9, symbol="diamond"),
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        barmode="overlay",
        height=max(320, 24 * len(labels) + 120),
        legend=dict(orientation="h", y=-0.15),
        **_LAYOUT,
    )
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1])
    return fig


def kv_growth(
    tokens: Sequence[int],
    closed_form: Sequence[float],
    mha: Sequence[float],
    measured_tokens: Sequence[int],
    measured: Sequence[float],
    *,
    title: str,
    x_title: str,
    y_title: str,
    names: tuple[str, str, str],
) -> go.Figure:
    """KV-cache bytes against the tokens it holds: the closed form (a line through the origin), the same model with
    one KV head per query head (multi-head attention) dashed, and the real cache measured after each step."""
    fig = go.Figure()
    fig.add_scatter(x=list(tokens), y=list(closed_form), mode="lines", name=names[0], line=dict(color=KEPT))
    fig.add_scatter(x=list(tokens), y=list(mha), mode="lines", name=names[1], line=dict(color=DROPPED, dash="dash"))
    fig.add_scatter(
        x=list(measured_tokens), y=list(measured), mode="markers", name=names[2], marker=dict(color=FINAL, size=7)
    )
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=360, **_LAYOUT)
    fig.update_yaxes(tickformat=".3s", rangemode="tozero")
    fig.update_xaxes(rangemode="tozero")
    return fig


def lens_heatmap(
    probs: np.ndarray, tops: Sequence[Sequence[str]], tokens: Sequence[str], *, title: str, x_title: str, y_title: str
) -> go.Figure:
    """Layers (0 = the embeddings) up, input positions across: each cell names the most likely next token after
    that layer at that position, coloured by its probability."""
    p = np.asarray(probs, dtype=float)
    text = [[esc(tok) for tok in row] for row in tops]
    fig = go.Figure(
        go.Heatmap(
            z=p,
            x=_labels(tokens),
            y=list(range(p.shape[0])),
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=10),
            zmin=0,
            zmax=1,
            colorscale="Blues",
            colorbar=dict(title="p"),
            hovertemplate="%{x} · %{y}: %{text} (%{z:.3f})<extra></extra>",
        )
    )
    fig.update_layout(
        title=title, xaxis_title=x_title, yaxis_title=y_title, height=max(420, 18 * p.shape[0] + 140), **_LAYOUT
    )
    return fig


def rank_by_layer(
    ranks: Sequence[int],
    probs: Sequence[float],
    *,
    title: str,
    x_title: str,
    y_title: str,
    y2_title: str,
    names: tuple[str, str],
) -> go.Figure:
    """The rank (1 = top, log scale) and the probability of the model's final prediction after every layer."""
    layers = list(range(len(ranks)))
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(x=layers, y=[r + 1 for r in ranks], mode="lines+markers", name=names[0], line=dict(color=KEPT))
    fig.add_scatter(
        x=layers, y=list(probs), mode="lines+markers", name=names[1], line=dict(color=FINAL), secondary_y=True
    )
    fig.update_layout(title=title, height=360, legend=dict(orientation="h", y=-0.2), **_LAYOUT)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, type="log", autorange="reversed", secondary_y=False)
    fig.update_yaxes(title_text=y2_title, range=[0, 1], tickmode="linear", dtick=0.2, secondary_y=True)
    return fig


def saliency_bars(
    tokens: Sequence[str],
    grad_input: Sequence[float],
    ig: Sequence[float],
    *,
    title: str,
    x_title: str,
    y_title: str,
    names: tuple[str, str],
) -> go.Figure:
    """Per input token: gradient × input and integrated gradients of f = log p(predicted token)."""
    labels = _labels(tokens)
    fig = go.Figure()
    fig.add_bar(x=labels, y=list(grad_input), name=names[0], marker_color=DROPPED)
    fig.add_bar(x=labels, y=list(ig), name=names[1], marker_color=KEPT)
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        barmode="group",
        height=380,
        legend=dict(orientation="h", y=-0.3),
        **_LAYOUT,
    )
    return fig
