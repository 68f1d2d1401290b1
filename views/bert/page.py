"""BERT: WordPiece input, the 15% / 80-10-10 masking recipe, NSP, a tiny BERT pre-trained live, real attention
heads and sentence similarity with MiniLM, ELMo vs GPT vs BERT visibility, BERT / ALBERT sizes.

This entry draws the title, the intro and the corpus every tab shares, then routes to one module per tab
(views/bert/<code>.py; the labs tab is the package views/bert/labs), each with render(corpus)."""

import streamlit as st

from ui.i18n import current_lang, t, tl
from ui.tabs import show_tabs
from ui.widgets import bound
from views.bert import attention, elmo_gpt_bert, labs, masking, nsp, similarity, sizes, train
from views.bert import input as input_tab  # named by its tab code; `input` here would shadow the builtin
from views.bert.common import CORPORA

st.title(t("bert.title"))
st.markdown(t("bert.intro"))
default_corpus = "peoples_daily_zh" if current_lang() == "zh" else "news_en"
corpus = bound(st.selectbox, t("bert.corpus"), CORPORA, index=CORPORA.index(default_corpus), key="bert_corpus")
show_tabs(  # ?bert_tab=<code>: ?bert_tab=labs opens the labs
    "bert_tab",
    {
        "input": lambda: input_tab.render(corpus),
        "masking": lambda: masking.render(corpus),
        "nsp": lambda: nsp.render(corpus),
        "train": lambda: train.render(corpus),
        "attention": lambda: attention.render(corpus),
        "similarity": lambda: similarity.render(corpus),
        "sizes": lambda: sizes.render(corpus),
        "elmo-gpt-bert": lambda: elmo_gpt_bert.render(corpus),
        "labs": lambda: labs.render(corpus),
    },
    tl("bert.tabs"),
)
