"""Sequence-labelling figures: Viterbi trellis, heatmaps, label-bias lattices, bars. Data in, plotly figure out."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

BEST = "#d62728"
EDGE = "rgba(90, 90, 90, 0.55)"
DEAD = "rgba(180, 180, 180, 0.5)"


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 320) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=height,
        showlegend=False,
        margin=dict(l=50, r=20, t=50, b=50),
        plot_bgcolor="white",
    )
    return fig


def trellis(
    delta: np.ndarray,
    backptr: np.ndarray,
    chars: Sequence[str],
    states: str,
    upto: int,
    best_path: Sequence[int] | None,
    *,
    title: str,
    x_title: str,
    y_title: str,
) -> go.Figure:
    """States × characters; node colour = δ_t(k) minus the column's best (0 = best so far), text = δ.
    Columns 0..upto are filled; each live node has an arrow from its back-pointer; `best_path` (red) is drawn
    when given (the finished path, or the best path so far)."""
    T, K = delta.shape
    upto = int(min(max(upto, 0), T - 1))
    fig = go.Figure()
    # back-pointer arrows (annotations draw real arrowheads)
    for t in range(1, upto + 1):
        for k in range(K):
            b = backptr[t, k]
            if b < 0 or not np.isfinite(delta[t, k]) or delta[t, k] < -1e90:
                continue
            on_best = best_path is not None and best_path[t] == k and best_path[t - 1] == b
            fig.add_annotation(
                x=t,
                y=k,
                ax=t - 1,
                ay=int(b),
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=2,
                arrowsize=1,
                arrowwidth=3 if on_best else 1,
                arrowcolor=BEST if on_best else EDGE,
                standoff=12,
                startstandoff=12,
                text="",
            )
    xs, ys, colours, texts, hover = [], [], [], [], []
    for t in range(upto + 1):
        col = delta[t]
        finite = np.isfinite(col) & (col > -1e90)
        top = col[finite].max() if finite.any() else 0.0
        for k in range(K):
            xs.append(t)
            ys.append(k)
            ok = bool(finite[k])
            colours.append(float(col[k] - top) if ok else np.nan)
            texts.append(f"{col[k]:.1f}" if ok else "−∞")
            hover.append(f"{chars[t]} · {states[k]} · δ = {texts[-1]}")
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            text=texts,
            textposition="top center",
            hovertext=hover,
            hoverinfo="text",
            marker=dict(
                size=22,
                color=colours,
                colorscale="Blues",
                cmin=-15,
                cmax=0,
                line=dict(width=1, color="#333"),
                showscale=False,
            ),
        )
    )
    if best_path is not None:
        n = min(len(best_path), upto + 1)
        fig.add_trace(
            go.Scatter(
                x=list(range(n)),
                y=list(best_path[:n]),
                mode="markers",
                marker=dict(size=26, color="rgba(0,0,0,0)", line=dict(width=3, color=BEST)),
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(tickmode="array", tickvals=list(range(T)), ticktext=list(chars), range=[-0.6, T - 0.4])
    fig.update_yaxes(tickmode="array", tickvals=list(range(K)), ticktext=list(states), range=[K - 0.4, -0.6])
    return _layout(fig, title, x_title, y_title, height=300)


def heatmap(
    matrix: np.ndarray,
    x_labels: Sequence[str],
    y_labels: Sequence[str],
    *,
    title: str,
    x_title: str,
    y_title: str,
    fmt: str = ".2f",
    colorscale: str = "Blues",
) -> go.Figure:
    """A labelled heatmap with the values written in the cells (NaN cells stay blank)."""
    m = np.asarray(matrix, dtype=float)
    text = [[("" if not np.isfinite(v) else format(v, fmt)) for v in row] for row in m]
    fig = go.Figure(
        go.Heatmap(
            z=m,
            x=[str(x) for x in x_labels],
            y=[str(y) for y in y_labels],
            text=text,
            texttemplate="%{text}",
            colorscale=colorscale,
            showscale=False,
            xgap=1,
            ygap=1,
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return _layout(fig, title, x_title, y_title, height=max(260, 40 * len(y_labels) + 120))


def lattice(
    values: np.ndarray, best_path: Sequence[int] | None, *, title: str, x_title: str, y_title: str, fmt: str = ".2f"
) -> go.Figure:
    """values (steps - 1, S, S) on the edges of a states × steps lattice; width ∝ value / max; zero edges are
    not drawn; the best path in red with its values written."""
    n_moves, S, _ = values.shape
    vmax = float(values.max()) if values.size and values.max() > 0 else 1.0
    on_best = set()
    if best_path is not None:
        on_best = {(t, best_path[t], best_path[t + 1]) for t in range(len(best_path) - 1)}
    fig = go.Figure()
    for t in range(n_moves):
        for i in range(S):
            for j in range(S):
                v = values[t, i, j]
                if v <= 0:
                    continue
                best = (t, i, j) in on_best
                fig.add_trace(
                    go.Scatter(
                        x=[t + 1, t + 2],
                        y=[i + 1, j + 1],
                        mode="lines",
                        line=dict(width=(6 if best else 0.5 + 5 * v / vmax), color=BEST if best else EDGE),
                        hovertext=f"{i + 1}→{j + 1}: {v:{fmt}}",
                        hoverinfo="text",
                    )
                )
                if best:
                    fig.add_annotation(
                        x=t + 1.5,
                        y=(i + j) / 2 + 1,
                        text=format(v, fmt),
                        showarrow=False,
                        font=dict(color=BEST, size=13),
                        bgcolor="rgba(255,255,255,0.8)",
                    )
    xs = [s + 1 for s in range(n_moves + 1) for _ in range(S)]
    ys = [k + 1 for _ in range(n_moves + 1) for k in range(S)]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            text=[str(y) for y in ys],
            hoverinfo="skip",
            marker=dict(size=24, color="white", line=dict(width=2, color="#333")),
        )
    )
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(range(1, n_moves + 2)),
        ticktext=[f"t{s}" for s in range(1, n_moves + 2)],
        showgrid=False,
    )
    fig.update_yaxes(tickmode="array", tickvals=list(range(1, S + 1)), autorange="reversed", showgrid=False)
    return _layout(fig, title, x_title, y_title, height=360)


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    x_title: str,
    y_title: str,
    highlight: Sequence[int] = (),
) -> go.Figure:
    colours = [BEST if i in set(highlight) else "#1f77b4" for i in range(len(labels))]
    fig = go.Figure(go.Bar(x=[str(x) for x in labels], y=list(values), marker_color=colours))
    fig.update_xaxes(type="category")
    return _layout(fig, title, x_title, y_title, height=280)


def grouped_bars(
    labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str, x_title: str, y_title: str
) -> go.Figure:
    """One bar group per label, one bar per series (e.g. P(character | state) per state)."""
    fig = go.Figure([go.Bar(name=name, x=[str(x) for x in labels], y=list(v)) for name, v in series.items()])
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category")
    fig = _layout(fig, title, x_title, y_title, height=300)
    fig.update_layout(showlegend=True, legend=dict(orientation="h", y=-0.3))
    return fig


def line(xs: Sequence[float], ys: Sequence[float], *, title: str, x_title: str, y_title: str) -> go.Figure:
    fig = go.Figure(go.Scatter(x=list(xs), y=list(ys), mode="lines+markers"))
    return _layout(fig, title, x_title, y_title, height=280)
