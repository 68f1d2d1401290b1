"""A minimal page using the shared live-training panel (driven by tests/ui/test_training_panel.py)."""

import time

import streamlit as st

from engine.core.train import Progress
from ui.training import InputError, training_panel

steps_wanted = st.number_input("steps", value=20)
fail_at = st.number_input("fail at step (0: never)", value=0)


def make_run():
    if steps_wanted <= 0:
        raise InputError("steps must be positive")
    model = {"w": 0}

    def steps():
        for i in range(int(steps_wanted)):
            model["w"] += 1
            if i + 1 == fail_at:
                raise RuntimeError("failed on purpose")
            time.sleep(0.005)
            yield Progress(i + 1, int(steps_wanted), 1.0 / (i + 1), {"acc": i / steps_wanted})

    return model, steps()


job = training_panel("toy", make_run, max_seconds=20, metric="acc")
if job is not None and job.usable:
    st.text(f"trained w={job.model['w']} status={job.status}")
