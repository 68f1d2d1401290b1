"""Helpers several BERT tabs share: the read-only corpus resources, MiniLM, the session's tiny BERT, the error
notice and the bound text box."""

import streamlit as st

from engine.bert.model import TinyBert, TinyBertConfig
from ui import resources
from ui.i18n import t
from ui.training import get_job
from ui.widgets import bound

CORPORA = ("news_en", "peoples_daily_zh", "toy_en", "toy_zh")

docs = resources.bert_documents  # read-only, shared with the labs
wordpiece = resources.bert_wordpiece


def minilm():
    with st.spinner(t("bert.loading_minilm")):
        return resources.minilm()  # read-only, shared with the pretrained-models page


def model(corpus):
    """The session's trained tiny BERT if there is one, else a fresh (untrained) one with the same vocabulary."""
    job = get_job("bert")
    if job is not None and job.model is not None:
        return job.model, bool(job.history) and job.status != "error"
    return TinyBert(TinyBertConfig(), wordpiece(corpus)), False


def error(e: Exception):
    st.warning(t(f"bert.err_{getattr(e, 'code', 'bad')}"))


def text(label, key, default, area=False):
    box = st.text_area if area else st.text_input
    value = bound(box, t(label), value=default, key=key, max_chars=2000)
    return (value or "").strip()
