"""Pretrained-models charts: data in, plotly figure out (no st.* here). Every text arrives translated.

Objectives as masks, encoders, perplexity, compression, the cost of length and the map of PTMs; then ptm-02
(one-hot vs distributed vectors, their memory) and misc-14 (softmax vs hierarchical softmax)."""

from __future__ import annotations

from html import escape
from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

_LAYOUT = dict(margin=dict(l=50, r=30, t=50, b=50))
_PANEL_LAYOUT = dict(margin=dict(l=60, r=30, t=80, b=50))  # room for panel titles under the chart title
ONE_HOT, DENSE = "#c0504d", "#2f6fdf"


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


# ---------------------------------------------------------------- ptm-02: one-hot vs distributed vectors; misc-14
def vector_bars(
    words: Sequence[str],
    one_hot: np.ndarray,
    dense: np.ndarray,
    *,
    title: str,
    one_hot_title: str,
    dense_title: str,
    x_one_hot: str,
    x_dense: str,
    y_title: str,
) -> go.Figure:
    """One row per word: its one-hot vector (left, the first columns of |V|) and its dense vector (right, all d).

    one_hot: (n, k) the shown part of the one-hot rows; dense: (n, d)."""
    n = len(words)
    fig = make_subplots(
        rows=n,
        cols=2,
        shared_xaxes="columns",
        column_titles=[one_hot_title, dense_title],
        row_titles=[escape(w) for w in words],
        horizontal_spacing=0.06,
        vertical_spacing=0.02,
    )
    lim = float(np.abs(dense).max()) * 1.05 if np.size(dense) else 1.0
    for i in range(n):
        fig.add_trace(
            go.Bar(
                x=np.arange(one_hot.shape[1]),
                y=one_hot[i],
                marker_color=ONE_HOT,
                showlegend=False,
                hovertemplate=f"{escape(words[i])} · %{{x}}: %{{y:.0f}}<extra></extra>",
            ),
            i + 1,
            1,
        )
        fig.add_trace(
            go.Bar(
                x=np.arange(dense.shape[1]),
                y=dense[i],
                marker_color=DENSE,
                showlegend=False,
                marker_line_width=0,
                hovertemplate=f"{escape(words[i])} · %{{x}}: %{{y:.3f}}<extra></extra>",
            ),
            i + 1,
            2,
        )
        fig.update_yaxes(range=[0, 1.1], showticklabels=False, row=i + 1, col=1)
        fig.update_yaxes(range=[-lim, lim], showticklabels=False, row=i + 1, col=2)
    fig.update_xaxes(title_text=x_one_hot, row=n, col=1)
    fig.update_xaxes(title_text=x_dense, row=n, col=2)
    fig.update_yaxes(title_text=y_title, row=(n + 1) // 2, col=1)
    fig.update_layout(title=title, height=90 + 55 * n, bargap=0.05, **_PANEL_LAYOUT)
    return fig


def cosine_pair(
    left: np.ndarray, right: np.ndarray, words: Sequence[str], *, title: str, left_title: str, right_title: str
) -> go.Figure:
    """Two cosine matrices over the same words side by side (rows and columns are the words)."""
    labels = [escape(w) for w in words]
    fig = make_subplots(rows=1, cols=2, subplot_titles=[left_title, right_title], horizontal_spacing=0.12)
    for col, sim in ((1, left), (2, right)):
        fig.add_trace(
            go.Heatmap(
                z=np.asarray(sim),
                x=labels,
                y=labels,
                zmin=-1,
                zmax=1,
                colorscale="RdBu",
                reversescale=True,
                texttemplate="%{z:.2f}",
                showscale=col == 2,
                hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>",
            ),
            1,
            col,
        )
        fig.update_yaxes(autorange="reversed", row=1, col=col)
    fig.update_layout(title=title, height=420, **_PANEL_LAYOUT)
    return fig


def memory_lines(
    vocab: np.ndarray,
    series: dict[str, np.ndarray],
    chosen: int,
    chosen_values: dict[str, float],
    *,
    title: str,
    x_title: str,
    y_title: str,
    chosen_label: str,
) -> go.Figure:
    """Bytes of each storage against |V| (log-log), the chosen |V| marked."""
    fig = go.Figure()
    colors = [ONE_HOT, "#9a9a9a", DENSE, "#4caf50"]
    for (name, ys), color in zip(series.items(), colors):
        fig.add_trace(
            go.Scatter(
                x=vocab,
                y=ys,
                mode="lines",
                name=name,
                line_color=color,
                hovertemplate="|V| = %{x:,}: %{y:.3s}B<extra>" + name + "</extra>",
            )
        )
        if name in chosen_values:
            fig.add_trace(
                go.Scatter(
                    x=[chosen],
                    y=[chosen_values[name]],
                    mode="markers+text",
                    showlegend=False,
                    marker=dict(color=color, size=10),
                    text=[human_bytes(chosen_values[name])],
                    textposition="top left",
                    hoverinfo="skip",
                )
            )
    fig.add_vline(x=chosen, line_dash="dot", line_color="gray")
    # annotations on a log axis take log10 coordinates (shapes take data values)
    fig.add_annotation(
        x=float(np.log10(chosen)),
        y=1,
        yref="paper",
        yanchor="bottom",
        text=chosen_label,
        showarrow=False,
        font=dict(color="gray"),
    )
    fig.update_xaxes(type="log", title_text=x_title)
    fig.update_yaxes(type="log", title_text=y_title, tickformat="~s")
    fig.update_layout(title=title, height=400, legend=dict(orientation="h", y=-0.25), **_PANEL_LAYOUT)
    return fig


def human_bytes(nbytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if nbytes < 1000 or unit == "TB":
            return f"{nbytes:.3g} {unit}"
        nbytes /= 1000
    return f"{nbytes:.3g} TB"


def softmax_vs_hs(
    vocab: Sequence[int],
    cost: dict[str, Sequence[float]],
    measured: dict[str, Sequence[float]] | None,
    *,
    title: str,
    x_title: str,
    cost_title: str,
    ms_title: str,
    cost_panel: str,
    ms_panel: str,
) -> go.Figure:
    """Left: dot products per scored token (expected); right, once measured: ms per batch. Both log-log."""
    cols = 2 if measured else 1
    fig = make_subplots(rows=1, cols=cols, subplot_titles=[cost_panel, ms_panel][:cols], horizontal_spacing=0.12)
    colors = [ONE_HOT, DENSE, "#9a9a9a"]
    for (name, ys), color in zip(cost.items(), colors):
        fig.add_trace(
            go.Scatter(x=list(vocab), y=list(ys), mode="lines+markers", name=name, line_color=color, legendgroup=name),
            1,
            1,
        )
    if measured:
        for (name, ys), color in zip(measured.items(), colors):
            fig.add_trace(
                go.Scatter(
                    x=list(vocab),
                    y=list(ys),
                    mode="lines+markers",
                    name=name,
                    line_color=color,
                    line_dash="dash",
                    legendgroup=name,
                    showlegend=False,
                ),
                1,
                2,
            )
        fig.update_yaxes(type="log", title_text=ms_title, row=1, col=2)
        fig.update_xaxes(type="log", title_text=x_title, row=1, col=2)
    fig.update_xaxes(type="log", title_text=x_title, row=1, col=1)
    fig.update_yaxes(type="log", title_text=cost_title, row=1, col=1)
    fig.update_layout(title=title, height=400, legend=dict(orientation="h", y=-0.25), **_PANEL_LAYOUT)
    return fig
