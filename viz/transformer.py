"""Charts for the Transformer page: data in, plotly figure (or DOT string) out. No st.* here.

Every function takes its title and axis titles as arguments, so the page passes them in the current language.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

_MARGIN = dict(l=50, r=20, t=50, b=50)


def _arr(x) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def matrix_heatmap(
    mat,
    rows: Sequence[str] | None = None,
    cols: Sequence[str] | None = None,
    *,
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    diverging: bool = True,
    text: bool = True,
    height: int | None = None,
) -> go.Figure:
    """A labelled matrix; values printed in the cells when small enough. Diverging colours centred at 0."""
    z = _arr(mat)
    n_rows, n_cols = z.shape
    rows = [f"{i}·{r}" for i, r in enumerate(rows)] if rows is not None else list(range(n_rows))
    cols = [f"{j}·{c}" for j, c in enumerate(cols)] if cols is not None else list(range(n_cols))
    show = text and n_rows * n_cols <= 400
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=cols,
            y=rows,
            colorscale="RdBu_r" if diverging else "Blues",
            zmid=0 if diverging else None,
            zmin=None if diverging else 0,
            text=np.round(z, 2) if show else None,
            texttemplate="%{text}" if show else None,
            hovertemplate="%{y} → %{x}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        margin=_MARGIN,
        height=height or max(260, 30 * n_rows + 120),
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return fig


def heads_grid(
    weights,
    rows: Sequence[str],
    cols: Sequence[str],
    *,
    title: str = "",
    head_label: str = "head {i}",
    x_title: str = "",
    y_title: str = "",
) -> go.Figure:
    """Attention weights of every head side by side: weights (h, Tq, Tk), one panel per head, shared 0..1 scale."""
    w = _arr(weights)
    h = w.shape[0]
    ncols = min(h, 4)
    nrows = (h + ncols - 1) // ncols
    fig = make_subplots(
        rows=nrows,
        cols=ncols,
        subplot_titles=[head_label.format(i=i + 1) for i in range(h)],
        horizontal_spacing=0.04,
        vertical_spacing=0.12,
    )
    rl = [f"{i}·{r}" for i, r in enumerate(rows)]
    cl = [f"{j}·{c}" for j, c in enumerate(cols)]
    for i in range(h):
        fig.add_trace(
            go.Heatmap(
                z=w[i],
                x=cl,
                y=rl,
                zmin=0,
                zmax=1,
                colorscale="Blues",
                showscale=i == 0,
                hovertemplate="%{y} → %{x}: %{z:.2f}<extra></extra>",
            ),
            row=i // ncols + 1,
            col=i % ncols + 1,
        )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    fig.update_layout(title=title, height=max(300, 280 * nrows), margin=_MARGIN)
    fig.update_xaxes(title_text=x_title, row=nrows, col=1)
    fig.update_yaxes(title_text=y_title, row=1, col=1)
    return fig


def lines(
    x,
    series: Mapping[str, Sequence[float]],
    *,
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    log_x: bool = False,
    log_y: bool = False,
    markers: bool = True,
    dash: Mapping[str, str] | None = None,
    height: int = 340,
) -> go.Figure:
    fig = go.Figure()
    for name, ys in series.items():
        fig.add_trace(
            go.Scatter(
                x=list(x),
                y=list(ys),
                name=name,
                mode="lines+markers" if markers else "lines",
                line=dict(dash=(dash or {}).get(name, "solid")),
            )
        )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        margin=_MARGIN,
        height=height,
        legend=dict(orientation="h", y=-0.25),
    )
    if log_x:
        fig.update_xaxes(type="log")
    if log_y:
        fig.update_yaxes(type="log", range=_log_range([y for ys in series.values() for y in ys]))
    return fig


def _log_range(values: Sequence[float]) -> list[float] | None:
    """At least two decades on a log axis, so that 1.00001 vs 1.00002 does not look like a wild swing."""
    pos = [v for v in values if v > 0 and np.isfinite(v)]
    if not pos:
        return None
    lo, hi = np.log10(min(pos)), np.log10(max(pos))
    if hi - lo >= 2:
        return None
    mid = (lo + hi) / 2
    return [mid - 1, mid + 1]


def bars(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    log_y: bool = False,
    height: int = 320,
) -> go.Figure:
    """Grouped bars: one group per category, one bar per series."""
    fig = go.Figure(
        [
            go.Bar(x=list(categories), y=list(v), name=k, text=[f"{x:.3g}" for x in v], textposition="outside")
            for k, v in series.items()
        ]
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        barmode="group",
        margin=_MARGIN,
        height=height,
        legend=dict(orientation="h", y=-0.25),
    )
    if log_y:
        fig.update_yaxes(type="log")
    return fig


def histograms(
    samples: Mapping[str, Sequence[float]], *, title: str = "", x_title: str = "", y_title: str = "", height: int = 300
) -> go.Figure:
    fig = go.Figure(
        [
            go.Histogram(x=list(v), name=k, opacity=0.6, nbinsx=60, histnorm="probability density")
            for k, v in samples.items()
        ]
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        barmode="overlay",
        margin=_MARGIN,
        height=height,
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def architecture_dot(label: Mapping[str, str], n_layers: int) -> str:
    """The encoder–decoder block diagram as Graphviz DOT (for st.graphviz_chart). `label` maps the keys
    src, tgt, emb, pe, self, masked, cross, ffn, addnorm, enc, dec, linear, softmax, memory to display text."""

    def esc(s: str) -> str:
        return s.replace('"', "'")

    L = {k: esc(v) for k, v in label.items()}
    return f"""digraph T {{
  rankdir=BT; node [shape=box, style="rounded,filled", fontname="Noto Sans CJK SC, sans-serif", fontsize=11];
  src [label="{L['src']}", fillcolor="#eeeeee"]; tgt [label="{L['tgt']}", fillcolor="#eeeeee"];
  semb [label="{L['emb']} + {L['pe']}", fillcolor="#fde2b8"]; temb [label="{L['emb']} + {L['pe']}", fillcolor="#fde2b8"];
  subgraph cluster_enc {{ label="{L['enc']} × {n_layers}"; style=rounded; color="#4c78a8";
    eself [label="{L['self']}", fillcolor="#cfe0f3"]; ean1 [label="{L['addnorm']}", fillcolor="#f3f3c4"];
    effn [label="{L['ffn']}", fillcolor="#d6efd0"]; ean2 [label="{L['addnorm']}", fillcolor="#f3f3c4"];
    eself -> ean1 -> effn -> ean2; }}
  subgraph cluster_dec {{ label="{L['dec']} × {n_layers}"; style=rounded; color="#e45756";
    dself [label="{L['masked']}", fillcolor="#f6d0cf"]; dan1 [label="{L['addnorm']}", fillcolor="#f3f3c4"];
    dcross [label="{L['cross']}", fillcolor="#e5d4f0"]; dan2 [label="{L['addnorm']}", fillcolor="#f3f3c4"];
    dffn [label="{L['ffn']}", fillcolor="#d6efd0"]; dan3 [label="{L['addnorm']}", fillcolor="#f3f3c4"];
    dself -> dan1 -> dcross -> dan2 -> dffn -> dan3; }}
  lin [label="{L['linear']}", fillcolor="#eeeeee"]; soft [label="{L['softmax']}", fillcolor="#eeeeee"];
  src -> semb -> eself; tgt -> temb -> dself;
  ean2 -> dcross [label="{L['memory']}", fontsize=10, color="#9467bd", style=dashed];
  dan3 -> lin -> soft;
}}"""
