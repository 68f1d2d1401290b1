"""tf-09: sinusoidal positional encodings, a shift as a rotation, and dot products by offset
(?transformer_tab=positions)."""

import streamlit as st

from engine.transformer.model import pe_offset_dots, pe_rotation, pe_shift_demo, positional_encoding
from ui.code import show_code
from ui.i18n import t
from ui.predict import predict_then_see
from ui.widgets import bound, chart
from views.transformer.common import K
from viz import transformer as vz

ROTATION_CODES = ("one", "per_pos", "none")


def rotation_error(d: int, offset: int, n: int) -> tuple[float, int]:
    """(largest |R_k · PE[pos] − PE[pos + k]| over positions 0..m−1, m): the engine's one matrix R_k applied to every
    position at once."""
    m = max(n, 2)
    pe = positional_encoding(m + offset, d).double()
    return float((pe[:m] @ pe_rotation(offset, d).T - pe[offset:]).abs().max()), m


def rotation_truth(err: float) -> str:
    """One matrix works for every position when its largest error is float32 rounding (PE is float32); else each
    position needs its own (a linear map from one non-zero vector to another always exists)."""
    return "one" if err < 1e-5 else "per_pos"


def _rotation_results(d: int, pos: int, off: int, err: float, m: int) -> None:
    """What answers the prompt (drawn once it is answered): R_k's largest error over every position, the chart of
    PE[pos + k] against R_k · PE[pos] (its title says it), its caption and R_k's code."""
    st.metric(t("predict.tf_pe_rotation.err", n=m), f"{err:.1e}")
    demo = pe_shift_demo(d, pos, off)
    shifted, rotated = f"PE[{pos + off}]", f"R_{off}·PE[{pos}]"
    fig = vz.lines(
        range(d),
        {shifted: demo["target"].tolist(), rotated: demo["rotated"].tolist()},
        title=t("transformer.rot_title", k=off),
        x_title=t("transformer.dim"),
        y_title="PE",
        dash={rotated: "dot"},
    )
    chart(fig, key=K + "pe_rotation", name="positional-encoding-rotation")
    st.caption(t("transformer.rot_caption", err=demo["max_err"]))
    show_code(pe_rotation, ["tests/engine/transformer/test_transformer.py::test_pe_offset_is_a_fixed_rotation"])


@st.fragment
def render() -> None:
    c1, c2, c3, c4 = st.columns(4)
    n = bound(c1.slider, t("transformer.n_positions"), 8, 200, 50, key=K + "pe_n")
    d = bound(c2.slider, t("transformer.d_model"), 4, 256, 64, step=2, key=K + "pe_d")
    pos = bound(c3.slider, t("transformer.pos"), 0, 100, 5, key=K + "pe_pos")
    off = bound(c4.slider, t("transformer.offset"), 1, 99, 3, key=K + "pe_k")
    fig = vz.matrix_heatmap(
        positional_encoding(n, d),
        None,
        None,
        title=t("transformer.pe_title"),
        x_title=t("transformer.dim"),
        y_title=t("transformer.position"),
        text=False,
        height=420,
    )
    chart(fig, key=K + "pe_map", name="positional-encoding")
    show_code(  # the rotation test is named under pe_rotation, after the prompt: its name is the answer
        positional_encoding, ["tests/engine/transformer/test_transformer.py::test_positional_encoding_closed_form"]
    )
    err, m = rotation_error(d, off, n)
    predict_then_see(  # the rotation chart, its caption and R_k's code answer it: drawn in the reveal
        "tf_pe_rotation",
        t("predict.tf_pe_rotation.prompt", k=off),
        {code: t(f"predict.tf_pe_rotation.{code}") for code in ROTATION_CODES},
        rotation_truth(err),
        topic="tf",
        reveal=lambda: _rotation_results(d, pos, off, err, m),
        explain=t("predict.tf_pe_rotation.why"),
        variant=(d, off),
    )
    dots = {f"pos={p}": v for p, v in pe_offset_dots(d).items()}
    fig = vz.lines(
        range(40),
        dots,
        title=t("transformer.dot_title"),
        x_title=t("transformer.offset"),
        y_title="PE[pos]·PE[pos+k]",
        markers=False,
    )
    chart(fig, key=K + "pe_dots", name="positional-encoding-dots")
