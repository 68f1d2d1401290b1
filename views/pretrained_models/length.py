"""ptm-07: the cost of long inputs (?ptm_tab=length): attention memory against the length, and adapters vs full
fine-tuning copies."""

import numpy as np
import streamlit as st

from engine.pretrained import objectives as ob
from ui.code import show_code
from ui.i18n import t
from ui.widgets import bound, chart, figure
from viz import pretrained_models as vz


@st.fragment  # the tab feeds nothing to the rest of the page: a widget in it reruns this tab only
def render() -> None:
    c = st.columns(5)
    heads = bound(c[0].number_input, t("pretrained_models.heads"), 1, 128, 12, key="ptm_heads")
    layers = bound(c[1].number_input, t("pretrained_models.layers"), 1, 128, 12, key="ptm_layers")
    batch = bound(c[2].number_input, t("pretrained_models.batch"), 1, 1024, 8, key="ptm_batch")
    nbytes = bound(c[3].radio, t("pretrained_models.bytes"), [2, 4], key="ptm_bytes", horizontal=True)
    gpu = bound(c[4].number_input, t("pretrained_models.gpu"), 1, 1024, 16, key="ptm_gpu")
    ns = np.unique(np.geomspace(64, 8192, 60).astype(int))
    gib = ob.attention_memory_bytes(ns, heads, layers, batch, nbytes) / 2**30
    fig = figure(
        vz.attention_memory,
        ns,
        gib,
        gpu,
        title=t("pretrained_models.mem_title"),
        x_title=t("pretrained_models.length"),
        y_title="GiB",
        limit_label=t("pretrained_models.gpu_limit"),
        bert_label="512 (BERT)",
    )
    chart(fig, key="ptm_mem", name="attention-memory-by-length")
    fit = ns[gib <= gpu]
    st.markdown(t("pretrained_models.mem_fit", n=int(fit.max()) if fit.size else 0))
    show_code(
        ob.attention_memory_bytes,
        ["tests/engine/pretrained/test_objectives.py::test_attention_memory_equals_real_attention_tensor"],
    )
    tasks = bound(st.slider, t("pretrained_models.tasks"), 1, 50, 10, key="ptm_tasks")
    st.markdown(t("pretrained_models.adapter_math", full=tasks * 110, adapters=110 + tasks * 3.6))
