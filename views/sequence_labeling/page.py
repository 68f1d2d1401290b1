"""Sequence labelling: HMM word segmentation (Viterbi step by step), MEMM label bias, CRF; one sentence, three taggers.

The page draws the sentence the tabs share, then only the open tab (ui.tabs.show_tabs), one module per tab code."""

import streamlit as st

from ui.i18n import t
from ui.tabs import show_tabs
from ui.widgets import bound, qa_panel
from views.sequence_labeling import bias, hmm, taggers
from views.sequence_labeling.common import MAX_CHARS, corpus, tt

DEFAULT = "我来到北京清华大学"

st.title(tt("title"))
st.markdown(tt("intro"))
with st.spinner(tt("loading")):
    corpus()
sentence = bound(st.text_input, tt("sentence"), DEFAULT, key="seq_sentence")
text = "".join(ch for ch in sentence.strip() if ch.isprintable() and not ch.isspace())
if len(text) > MAX_CHARS:
    st.warning(tt("too_long", n=len(text), limit=MAX_CHARS))
    text = text[:MAX_CHARS]
if not text:
    st.warning(tt("empty"))
    text = DEFAULT
tabs = {"hmm": lambda: hmm.render(text), "bias": bias.render, "taggers": lambda: taggers.render(text)}  # ?seq_tab=bias
show_tabs("seq_tab", tabs, [tt("tab_hmm"), tt("tab_bias"), tt("tab_three")])

st.divider()
st.subheader(t("common.interview_answers"))
qa_panel(["misc-15", "misc-16"])
with st.expander(t("common.sources")):
    st.markdown(tt("sources"))
