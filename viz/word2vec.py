"""Charts for the word2vec page: data in, plotly figure out (no st.* here). Every text comes in as an argument."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from engine.embeddings.huffman import HuffmanTree

_LAYOUT = dict(margin=dict(l=40, r=20, t=50, b=40), legend=dict(orientation="h", y=-0.2))


def word_map(
    xy: np.ndarray,
    words: Sequence[str],
    *,
    groups: Sequence[str] | None = None,
    title: str = "",
    x_title: str = "PC 1",
    y_title: str = "PC 2",
    height: int = 420,
) -> go.Figure:
    """2-D scatter of words with their labels; one colour per group if given."""
    fig = go.Figure()
    groups = list(groups) if groups is not None else [""] * len(words)
    for g in dict.fromkeys(groups):
        idx = [i for i, x in enumerate(groups) if x == g]
        fig.add_trace(
            go.Scatter(
                x=xy[idx, 0],
                y=xy[idx, 1],
                mode="markers+text",
                name=g or None,
                text=[words[i] for i in idx],
                textposition="top center",
                showlegend=bool(g),
            )
        )
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=height, **_LAYOUT)
    return fig


def _tree_layout(tree: HuffmanTree) -> tuple[np.ndarray, np.ndarray]:
    """x (in-order leaf position) and depth of every node id 0..2V-2 in the final tree."""
    V = tree.n_words
    n = 2 * V - 1
    children: dict[int, tuple[int, int]] = {V + m.step: (m.small, m.large) for m in tree.merges}
    x, depth = np.zeros(n), np.zeros(n)
    counter = [0]

    def walk(node: int, d: int) -> None:  # at most V−1 levels deep; V is small on the page
        depth[node] = d
        if node in children:
            a, b = children[node]
            walk(a, d + 1)
            walk(b, d + 1)
            x[node] = (x[a] + x[b]) / 2
        else:
            x[node] = counter[0]
            counter[0] += 1

    walk(n - 1, 0)
    return x, depth


def huffman_tree(
    tree: HuffmanTree,
    words: Sequence[str],
    counts: Sequence[int],
    *,
    upto: int | None = None,
    highlight: int | None = None,
    title: str = "",
    node_label: str = "θ",
) -> go.Figure:
    """The tree after `upto` merges (all by default): edges labelled 0/1, the highlighted word's path in red."""
    V = tree.n_words
    upto = len(tree.merges) if upto is None else max(0, min(upto, len(tree.merges)))
    x, depth = _tree_layout(tree)
    built = tree.merges[:upto]
    node_count = {i: int(c) for i, c in enumerate(counts)}
    node_count.update({V + m.step: m.count for m in tree.merges})
    path = set()
    if highlight is not None:
        node = highlight
        while node != -1:
            path.add(node)
            node = int(tree.parent[node])
    fig = go.Figure()
    for m in built:
        parent = V + m.step
        for child, bit in ((m.small, 0), (m.large, 1)):
            red = parent in path and child in path
            fig.add_trace(
                go.Scatter(
                    x=[x[parent], x[child]],
                    y=[-depth[parent], -depth[child]],
                    mode="lines",
                    line=dict(color="crimson" if red else "#999", width=4 if red else 1.5),
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
            fig.add_annotation(
                x=(x[parent] + x[child]) / 2,
                y=-(depth[parent] + depth[child]) / 2,
                text=str(bit),
                showarrow=False,
                font=dict(size=11, color="crimson" if red else "#555"),
            )
    inner = [V + m.step for m in built]
    fig.add_trace(
        go.Scatter(
            x=x[inner],
            y=-depth[inner],
            mode="markers+text",
            showlegend=False,
            marker=dict(size=24, color=["crimson" if i in path else "#4c78a8" for i in inner]),
            text=[f"{node_label}{i - V}" for i in inner],
            textfont=dict(color="white", size=9),
            hovertext=[str(node_count[i]) for i in inner],
            hoverinfo="text",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x[:V],
            y=-depth[:V],
            mode="markers+text",
            showlegend=False,
            textposition="bottom center",
            marker=dict(size=14, symbol="square", color=["crimson" if i in path else "#f58518" for i in range(V)]),
            text=[f"{w} ({c})" for w, c in zip(words, counts)],
            hoverinfo="text",
        )
    )
    fig.update_layout(
        title=title,
        height=180 + 55 * int(depth.max(initial=1)),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        **_LAYOUT,
    )
    return fig


def path_bars(
    labels: Sequence[str], probs: Sequence[float], *, title: str = "", x_title: str = "", y_title: str = ""
) -> go.Figure:
    """The probability of taking the word's branch at each node of its path (their product is P(w | context))."""
    fig = go.Figure(go.Bar(x=list(labels), y=list(probs), text=[f"{p:.3f}" for p in probs], textposition="auto"))
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, yaxis_range=[0, 1], height=300, **_LAYOUT)
    return fig


def grouped_bars(
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    log_y: bool = False,
    height: int = 360,
) -> go.Figure:
    """One bar group per category, one colour per series (noise distributions, costs, similarities)."""
    fig = go.Figure(
        [
            go.Bar(
                name=name,
                x=list(categories),
                y=list(vals),
                texttemplate="%{y:.3g}",
                textposition="outside" if len(categories) * len(series) <= 12 else "none",
            )
            for name, vals in series.items()
        ]
    )
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, barmode="group", height=height, **_LAYOUT)
    if log_y:
        fig.update_yaxes(type="log")
    return fig


def line(
    x: Sequence[float], series: dict[str, Sequence[float]], *, title: str = "", x_title: str = "", y_title: str = ""
) -> go.Figure:
    fig = go.Figure([go.Scatter(x=list(x), y=list(v), mode="lines+markers", name=n) for n, v in series.items()])
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=340, **_LAYOUT)
    return fig


def gradient_rows(
    rows: dict[str, np.ndarray],
    words: Sequence[str],
    *,
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    colorbar_title: str = "",
) -> go.Figure:
    """One strip per loss: log10 of ‖∂L/∂u_w‖ for every output vector w; rows with a zero gradient stay blank."""
    names = list(rows)
    z = [[float(np.log10(n)) if n > 0 else None for n in rows[k]] for k in names]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(words),
            y=names,
            colorscale="Viridis",
            hoverongaps=False,
            colorbar=dict(title=colorbar_title),
            hovertemplate="%{x}: log10 ‖∇‖ = %{z:.2f}<extra>%{y}</extra>",
        )
    )
    fig.update_layout(
        title=title, xaxis_title=x_title, yaxis_title=y_title, height=260, margin=dict(l=40, r=20, t=50, b=40)
    )
    fig.update_xaxes(showticklabels=len(words) <= 60)
    return fig
