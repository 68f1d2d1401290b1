"""Charts for the multi-label lab (bert-01): which output head sits on which BERT output, and the loss curves of
each head and their sum. Data in, plotly figure out; every label arrives translated."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

BOX = dict(input="#dbe9f6", bert="#fde9c9", output="#e3f1df", head="#f9d5d3", extra="#e9e1f5")

# per task: input tokens, the outputs heads read (indices into the outputs), and the boxes above them.
# Label keys ("head_*", "extra_*") are looked up in the translated `names` dict.
LAYOUTS = {
    "pair": dict(inputs=["[CLS]", "A₁", "A₂", "[SEP]", "B₁", "B₂", "[SEP]"], heads=[([0], "head_pair")]),
    "multilabel": dict(
        inputs=["[CLS]", "w₁", "w₂", "w₃", "w₄", "[SEP]"],
        heads=[([0], "head_size"), ([0], "head_season")],
        extra="extra_sum",
    ),
    "translation": dict(
        inputs=["[CLS]", "x₁", "x₂", "x₃", "x₄", "[SEP]"], heads=[([1, 2, 3, 4], "head_decoder")], extra="extra_target"
    ),
    "generation": dict(
        inputs=["[CLS]", "x₁", "x₂", "[MASK]", "[MASK]", "[SEP]"],
        heads=[([3], "head_vocab"), ([4], "head_vocab")],
        extra="extra_generation",
    ),
}


def _box(fig: go.Figure, x0: float, x1: float, y0: float, y1: float, colour: str, text: str, size: int = 12):
    fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, fillcolor=colour, line=dict(color="#555", width=1))
    fig.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=text, showarrow=False, font=dict(size=size, color="#222"))


def _arrow(fig: go.Figure, x0: float, y0: float, x1: float, y1: float):
    fig.add_annotation(
        x=x1,
        y=y1,
        ax=x0,
        ay=y0,
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        text="",
        showarrow=True,
        arrowhead=2,
        arrowwidth=1.2,
        arrowcolor="#555",
    )


def head_diagram(task: str, names: dict[str, str], *, title: str) -> go.Figure:
    """Inputs -> the BERT encoder -> one output vector per token (C, T1, ...) -> the task's head(s)."""
    spec = LAYOUTS[task]
    n = len(spec["inputs"])
    fig = go.Figure()
    for i, tok in enumerate(spec["inputs"]):
        _box(fig, i + 0.1, i + 0.9, 0.0, 0.6, BOX["input"], tok)
        _arrow(fig, i + 0.5, 0.6, i + 0.5, 1.0)
        _box(fig, i + 0.1, i + 0.9, 2.4, 3.0, BOX["output"], "C" if i == 0 else f"T{i}")
        _arrow(fig, i + 0.5, 2.0, i + 0.5, 2.4)
    _box(fig, 0.1, n - 0.1, 1.0, 2.0, BOX["bert"], names["bert"], size=14)
    heads = spec["heads"]
    width = n / len(heads)
    for h, (sources, key) in enumerate(heads):
        x0, x1 = h * width + 0.15, (h + 1) * width - 0.15
        _box(fig, x0, x1, 3.6, 4.3, BOX["head"], names[key])
        for s in sources:
            _arrow(fig, s + 0.5, 3.0, (x0 + x1) / 2, 3.6)
    if spec.get("extra"):
        _box(fig, 0.1, n - 0.1, 4.8, 5.4, BOX["extra"], names[spec["extra"]])
        for h in range(len(heads)):
            _arrow(fig, (h + 0.5) * width, 4.3, (h + 0.5) * width, 4.8)
    fig.update_xaxes(visible=False, range=[-0.1, n + 0.1])
    top = 5.5 if spec.get("extra") else 4.4
    fig.update_yaxes(visible=False, range=[-0.1, top])
    fig.update_layout(
        title=title,
        height=int(75 * top + 60),
        margin=dict(l=10, r=10, t=50, b=10),
        plot_bgcolor="white",
        showlegend=False,
    )
    return fig


def loss_curves(
    steps: Sequence[int], series: dict[str, Sequence[float]], *, total: str, title: str, x_title: str, y_title: str
) -> go.Figure:
    """One line per head and, dashed, their sum (`total` names the series that is the sum)."""
    fig = go.Figure()
    for name, ys in series.items():
        fig.add_trace(
            go.Scatter(
                x=list(steps),
                y=list(ys),
                mode="lines",
                name=name,
                line=dict(dash="dash", width=3) if name == total else dict(width=2),
            )
        )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=340,
        margin=dict(l=50, r=20, t=50, b=40),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig
