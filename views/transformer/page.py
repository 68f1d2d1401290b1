"""Transformer: architecture, self-attention step by step, √d_k, positions, a seq2seq trained live, LN vs BN, cost.
The entry script: title and intro, then one module per tab (views/transformer/<tab code>.py); the tabs share no
inputs, each keeps its own session-state keys."""

import streamlit as st

from ui.i18n import t, tl
from ui.tabs import show_tabs
from views.transformer import architecture, attention, cost, norms, positions, seq2seq

st.title(t("transformer.title"))
st.markdown(t("transformer.intro"))
# only the open tab runs (a tab switch reruns the page); ?transformer_tab=seq2seq opens that tab. The codes are
# stable: they end up in links.
show_tabs(
    "transformer_tab",
    {
        "architecture": architecture.render,
        "attention": attention.render,
        "positions": positions.render,
        "seq2seq": seq2seq.render,
        "norms": norms.render,
        "cost": cost.render,
    },
    tl("transformer.tabs"),
)
