"""A tiny app for tests/ui/test_predict.py: one multiple-choice prompt and one numeric estimate, each revealing a
marker line; `?v=` (read by the app, not by the widgets) changes the variant of the choice prompt. A last marker
line, drawn outside any reveal, is gated on answered() of the choice prompt."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import streamlit as st  # noqa: E402

from ui.predict import answered, estimate_then_see, predict_then_see  # noqa: E402

st.session_state.setdefault("lang", st.query_params.get("lang", "en"))
variant = st.query_params.get("v")
predict_then_see(
    "demo_choice",
    "Which is larger?",
    {"a": "two", "b": "three", "c": "four"},
    answer=max(("a", 2), ("b", 3), ("c", 4), key=lambda o: o[1])[0],  # computed, like a demo's engine answer
    topic="misc",
    reveal=lambda: st.write("REVEALED choice"),
    explain="Four is the largest.",
    variant=variant,
)
estimate_then_see(
    "demo_estimate",
    "What is 0.3 + 0.4?",
    0.3 + 0.4,
    topic="tf",
    reveal=lambda: st.write("REVEALED estimate"),
    tolerance=0.05,
    min_value=0.0,
    max_value=1.0,
    step=0.01,
)
if answered("demo_choice", variant):
    st.write("GATED choice")
