"""Charts for the BERT page: data in, plotly figure out (no st.* here). Every title and axis label is passed in
already translated."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

FATE_COLOURS = ["#e8e8e8", "#d62728", "#ff7f0e", "#2ca02c"]  # context, [MASK], random, unchanged


def _layout(fig: go.Figure, title: str, height: int = 320) -> go.Figure:
    fig.update_layout(
        title=title, height=height, margin=dict(l=50, r=20, t=50, b=40), legend=dict(orientation="h", y=-0.2)
    )
    return fig


def embedding_parts(
    parts: dict[str, np.ndarray],
    tokens: Sequence[str],
    names: dict[str, str],
    *,
    title: str,
    x_title: str,
    dims: int = 24,
) -> go.Figure:
    """Token, segment and position embeddings and their sum, one heatmap row each ((T, dims) slices)."""
    keys = ["token", "segment", "position", "sum"]
    fig = make_subplots(
        rows=1, cols=4, subplot_titles=[names[k] for k in keys], shared_yaxes=True, horizontal_spacing=0.03
    )
    labels = [f"{i}:{t}" for i, t in enumerate(tokens)]
    for c, k in enumerate(keys, start=1):
        z = parts[k][:, :dims]
        fig.add_trace(
            go.Heatmap(
                z=z,
                y=labels,
                colorscale="RdBu",
                zmid=0,
                showscale=c == 4,
                hovertemplate="%{y} · dim %{x}: %{z:.3f}<extra></extra>",
            ),
            row=1,
            col=c,
        )
        fig.update_xaxes(title_text=x_title, row=1, col=c)
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    return _layout(fig, title, height=max(300, 22 * len(tokens) + 120))


def masking_grid(
    rows: list[list[str]],
    fates: np.ndarray,
    fate_names: Sequence[str],
    *,
    title: str,
    x_title: str,
    y_title: str,
    legend: bool = True,
) -> go.Figure:
    """One row per sample, one cell per token; the cell shows the token the encoder sees, coloured by its fate."""
    fates = np.asarray(fates)
    n_fates = len(FATE_COLOURS)
    scale = [[v, FATE_COLOURS[i]] for i in range(n_fates) for v in (i / n_fates, (i + 1) / n_fates)]
    hover = np.vectorize(lambda f: fate_names[int(f)])(fates) if fates.size else fates
    fig = go.Figure(
        go.Heatmap(
            z=fates,
            text=rows,
            texttemplate="%{text}",
            zmin=-0.5,
            zmax=n_fates - 0.5,
            colorscale=scale,
            showscale=False,
            customdata=hover,
            xgap=2,
            ygap=2,
            hovertemplate="%{text}: %{customdata}<extra></extra>",
        )
    )
    for i, name in enumerate(fate_names if legend else []):  # legend entries for the four fates
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                marker=dict(size=12, color=FATE_COLOURS[i], symbol="square"),
            )
        )
    fig.update_xaxes(title_text=x_title, showgrid=False)
    fig.update_yaxes(title_text=y_title, autorange="reversed", showgrid=False)
    fig.update_layout(plot_bgcolor="white")
    fig = _layout(fig, title, height=max(220, 34 * len(rows) + (120 if legend else 80)))
    # the fates' legend above the grid, right-aligned: below it, it sat on the x-axis title of short grids
    fig.update_layout(
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        margin=dict(t=80 if legend else 50),
    )
    return fig


def share_bars(
    names: Sequence[str],
    empirical: Sequence[float],
    target: Sequence[float],
    ci: Sequence[float] | None = None,
    *,
    title: str,
    y_title: str,
    empirical_name: str,
    target_name: str,
    x_title: str = "",
) -> go.Figure:
    """Measured shares (with 99% binomial error bars) next to the recipe's target shares."""
    fig = go.Figure(
        [
            go.Bar(
                x=list(names),
                y=list(empirical),
                name=empirical_name,
                error_y=dict(type="data", array=list(ci)) if ci is not None else None,
                text=[f"{v:.1%}" for v in empirical],
                textposition="outside",
            ),
            go.Bar(
                x=list(names),
                y=list(target),
                name=target_name,
                text=[f"{v:.1%}" for v in target],
                textposition="outside",
            ),
        ]
    )
    fig.update_layout(barmode="group", xaxis_title=x_title, yaxis_title=y_title, yaxis_tickformat=".0%")
    return _layout(fig, title)


def topk_bars(
    predictions: list[tuple[int, list[tuple[str, float]]]],
    *,
    title: str,
    x_title: str,
    slot_label: str,
    y_title: str = "",
) -> go.Figure:
    """Top-k fillers for each [MASK], as horizontal bars (one subplot per mask)."""
    n = max(1, len(predictions))
    fig = make_subplots(rows=1, cols=n, subplot_titles=[f"{slot_label} {pos}" for pos, _ in predictions] or [""])
    for c, (_, top) in enumerate(predictions, start=1):
        fig.add_trace(
            go.Bar(
                x=[p for _, p in top][::-1],
                y=[t for t, _ in top][::-1],
                orientation="h",
                showlegend=False,
                texttemplate="%{x:.1%}",
            ),
            row=1,
            col=c,
        )
        fig.update_xaxes(title_text=x_title, tickformat=".0%", row=1, col=c)
    fig.update_yaxes(title_text=y_title, row=1, col=1)
    return _layout(fig, title, height=280)


def accuracy_curve(
    steps: Sequence[int], series: dict[str, Sequence[float]], *, title: str, x_title: str, y_title: str
) -> go.Figure:
    fig = go.Figure([go.Scatter(x=list(steps), y=list(v), mode="lines+markers", name=k) for k, v in series.items()])
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title, yaxis_tickformat=".0%")
    return _layout(fig, title, height=300)


def loss_parts(
    steps: Sequence[int],
    mlm: Sequence[float],
    nsp: Sequence[float],
    lr: Sequence[float],
    *,
    names: dict[str, str],
    title: str,
    x_title: str,
    y_title: str,
) -> go.Figure:
    """L = L1 (MLM) + L2 (NSP) as a stacked area, with the learning-rate schedule on a second axis."""
    fig = go.Figure(
        [
            go.Scatter(x=list(steps), y=list(mlm), stackgroup="loss", name=names["mlm"]),
            go.Scatter(x=list(steps), y=list(nsp), stackgroup="loss", name=names["nsp"]),
            go.Scatter(x=list(steps), y=list(lr), name=names["lr"], yaxis="y2", line=dict(dash="dot", color="grey")),
        ]
    )
    fig.update_layout(
        xaxis_title=x_title,
        yaxis_title=y_title,
        yaxis2=dict(title=names["lr"], overlaying="y", side="right", showgrid=False),
    )
    return _layout(fig, title, height=300)


def attention_grid(
    att: np.ndarray, tokens: Sequence[str], *, title: str, layer_label: str, head_label: str
) -> go.Figure:
    """Every head of every layer as a small heatmap (rows: layers, columns: heads). att: (L, H, T, T)."""
    L, H = att.shape[:2]
    fig = make_subplots(
        rows=L,
        cols=H,
        horizontal_spacing=0.01,
        vertical_spacing=0.02,
        column_titles=[f"{head_label} {h}" for h in range(H)],
        row_titles=[f"{layer_label} {l}" for l in range(L)],  # noqa: E741
    )
    for l in range(L):  # noqa: E741
        for h in range(H):
            fig.add_trace(
                go.Heatmap(
                    z=att[l, h],
                    x=list(range(len(tokens))),
                    y=list(range(len(tokens))),
                    zmin=0,
                    zmax=1,
                    colorscale="Blues",
                    showscale=False,
                    customdata=np.array(tokens, dtype=object),
                    hovertemplate=f"L{l} H{h}: %{{y}}→%{{x}} %{{z:.2f}}<extra></extra>",
                ),
                row=l + 1,
                col=h + 1,
            )
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, autorange="reversed")
    fig.update_annotations(font_size=10)
    return _layout(fig, title, height=90 * L + 120)


def head_view(weights: np.ndarray, tokens: Sequence[str], *, title: str) -> go.Figure:
    """Lines from each token (left) to the tokens it attends to (right); opacity = attention weight. (T, T)."""
    T = len(tokens)
    fig = go.Figure()
    for i in range(T):
        for j in range(T):
            w = float(weights[i, j])
            if w < 0.05:
                continue
            fig.add_trace(
                go.Scatter(
                    x=[0, 1],
                    y=[i, j],
                    mode="lines",
                    hoverinfo="text",
                    text=f"{tokens[i]} → {tokens[j]}: {w:.2f}",
                    showlegend=False,
                    line=dict(width=1 + 6 * w, color=f"rgba(31,119,180,{min(1.0, 0.15 + w):.2f})"),
                )
            )
    for x, anchor in ((0, "left"), (1, "right")):
        fig.add_trace(
            go.Scatter(
                x=[x] * T,
                y=list(range(T)),
                mode="text",
                text=list(tokens),
                showlegend=False,
                textposition=f"middle {anchor}",
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(visible=False, range=[-0.6, 1.6])
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(plot_bgcolor="white")
    return _layout(fig, title, height=max(300, 24 * T + 80))


def visibility(
    masks: dict[str, np.ndarray],
    tokens: Sequence[str],
    *,
    title: str,
    x_title: str,
    y_title: str,
    position: int | None = None,
) -> go.Figure:
    """Side-by-side "can i see j?" grids (rows i, columns j); a chosen position's row is outlined."""
    names = list(masks)
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names, shared_yaxes=True, horizontal_spacing=0.04)
    for c, name in enumerate(names, start=1):
        fig.add_trace(
            go.Heatmap(
                z=masks[name].astype(int),
                x=list(tokens),
                y=list(tokens),
                zmin=0,
                zmax=1,
                colorscale=[[0, "#f2f2f2"], [1, "#1f77b4"]],
                showscale=False,
                xgap=1,
                ygap=1,
                hovertemplate="%{y} → %{x}: %{z}<extra></extra>",
            ),
            row=1,
            col=c,
        )
        fig.update_xaxes(title_text=x_title, row=1, col=c)
        if position is not None:
            n = len(tokens)
            fig.add_shape(
                type="rect",
                x0=-0.5,
                x1=n - 0.5,
                y0=position - 0.5,
                y1=position + 0.5,
                line=dict(color="#d62728", width=2),
                row=1,
                col=c,
            )
    fig.update_yaxes(title_text=y_title, autorange="reversed", row=1, col=1)
    fig.update_yaxes(autorange="reversed")
    fig = _layout(fig, title, height=380)
    fig.update_layout(margin=dict(t=80))
    return fig


def param_bars(
    models: dict[str, dict[str, int]], part_names: dict[str, str], *, title: str, y_title: str, x_title: str = ""
) -> go.Figure:
    """Stacked parameter counts by part, one bar per model."""
    parts = list(dict.fromkeys(k for d in models.values() for k in d))
    fig = go.Figure(
        [go.Bar(x=list(models), y=[models[m].get(p, 0) for m in models], name=part_names.get(p, p)) for p in parts]
    )
    totals = [sum(d.values()) for d in models.values()]
    fig.add_trace(
        go.Scatter(
            x=list(models),
            y=totals,
            mode="text",
            text=[f"{t:,}" for t in totals],
            textposition="top center",
            showlegend=False,
        )
    )
    fig.update_layout(barmode="stack", xaxis_title=x_title, yaxis_title=y_title)
    return _layout(fig, title, height=380)


def similarity_hist(
    scores: np.ndarray,
    labels: np.ndarray,
    threshold: float,
    *,
    names: Sequence[str],
    title: str,
    x_title: str,
    y_title: str,
) -> go.Figure:
    """Cosine histograms of similar vs different pairs, with the decision threshold."""
    labels = np.asarray(labels).astype(bool)
    bins = dict(start=-1.0, end=1.0, size=0.025)  # shared bins so the two classes are comparable
    fig = go.Figure(
        [
            go.Histogram(x=scores[labels], name=names[0], opacity=0.6, xbins=bins, marker_color="#2ca02c"),
            go.Histogram(x=scores[~labels], name=names[1], opacity=0.6, xbins=bins, marker_color="#d62728"),
        ]
    )
    fig.add_vline(x=threshold, line_dash="dash", line_color="black")
    fig.update_layout(barmode="overlay", xaxis_title=x_title, yaxis_title=y_title)
    return _layout(fig, title)


def roc_curves(
    curves: dict[str, tuple[np.ndarray, np.ndarray, float]], *, title: str, x_title: str, y_title: str
) -> go.Figure:
    """ROC curves, name -> (fpr, tpr, auc)."""
    fig = go.Figure(
        [go.Scatter(x=fpr, y=tpr, mode="lines", name=f"{name} (AUC {a:.3f})") for name, (fpr, tpr, a) in curves.items()]
    )
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dot", color="grey"), showlegend=False))
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title)
    return _layout(fig, title, height=360)
