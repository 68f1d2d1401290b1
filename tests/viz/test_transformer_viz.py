"""viz/transformer.py returns labelled figures (AppTest does not render plotly, so the figures are checked here)."""

import torch

from viz import transformer as vz


def test_heatmap_and_heads_grid_are_labelled():
    fig = vz.matrix_heatmap(torch.eye(3), ["a", "b", "c"], ["a", "b", "c"], title="T", x_title="key", y_title="query")
    assert fig.layout.title.text == "T" and fig.layout.xaxis.title.text == "key"
    assert list(fig.data[0].y) == ["0·a", "1·b", "2·c"]
    grid = vz.heads_grid(torch.rand(4, 2, 3), ["x", "y"], ["p", "q", "r"], title="G", head_label="head {i}")
    assert len(grid.data) == 4 and [a.text for a in grid.layout.annotations] == [f"head {i}" for i in range(1, 5)]


def test_log_axis_keeps_tiny_wiggles_flat():
    """A series 1.00001 … 1.00003 on a log axis gets two decades of range, not a zoom into noise."""
    fig = vz.lines([1, 2, 3], {"s": [1.00001, 1.00003, 1.00002]}, log_y=True, title="t")
    lo, hi = fig.layout.yaxis.range
    assert hi - lo == 2.0
    assert vz.lines([1, 2], {"s": [1e-6, 1.0]}, log_y=True).layout.yaxis.range is None


def test_architecture_dot_names_every_part():
    labels = {
        k: k.upper()
        for k in (
            "src",
            "tgt",
            "emb",
            "pe",
            "self",
            "masked",
            "cross",
            "ffn",
            "addnorm",
            "enc",
            "dec",
            "linear",
            "softmax",
            "memory",
        )
    }
    dot = vz.architecture_dot({**labels, "src": 'say "hi"'}, 6)
    assert dot.startswith("digraph") and "ENC × 6" in dot and "CROSS" in dot and "say 'hi'" in dot
