"""Pretrained models: objectives as visibility masks, encoders' receptive fields, perplexity (n-gram and a real
SmolLM2), a live compression lab, the cost of long inputs, and the map of PTMs and transfer strategies.

The tabs share no inputs: each tab module draws its own (only the open tab runs; a tab switch reruns the page)."""

import streamlit as st

from ui.i18n import t, tl
from ui.tabs import show_tabs
from ui.widgets import qa_panel
from views.pretrained_models import compression, encoders, length, lens, objectives, perplexity
from views.pretrained_models import map as ptm_map

st.title(t("pretrained_models.title"))
st.markdown(t("pretrained_models.intro"))
show_tabs(  # the codes are stable: they end up in links (?ptm_tab=compression opens the lab)
    "ptm_tab",
    {
        "objectives": objectives.render,
        "encoders": encoders.render,
        "perplexity": perplexity.render,
        "compression": compression.render,
        "length": length.render,
        "map": ptm_map.render,
        "lens": lens.render,
    },
    tl("pretrained_models.tabs"),
)

st.subheader(t("common.interview_answers"))
qa_panel(
    ["ptm-01", "ptm-02", "ptm-03", "ptm-04", "ptm-05", "ptm-06", "ptm-07", "misc-01", "misc-03", "misc-04", "misc-14"]
)
