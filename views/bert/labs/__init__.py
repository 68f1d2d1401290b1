"""The BERT page's labs tab (`?bert_tab=labs`): one small Streamlit module per curriculum demo, each with
`render(corpus: str) -> None`, chosen by `?bert_lab=<module name>`.

The tab lists the labs in LABS order and shows only those whose module exists, so a lab is added by writing
views/bert/labs/<name>.py (+ assets/i18n/{en,zh}/lab_<name>.toml with at least `title`) and adding its name here."""

from __future__ import annotations

import importlib
import importlib.util

import streamlit as st

from ui.i18n import t
from ui.tabs import url_select

# (module name, curriculum ids it answers), in the order a learner meets them
LABS = (
    ("multilabel", ("bert-01",)),
    ("mlm_causal", ("bert-06-1", "bert-07-3", "bert-08")),
    ("cbow_vs_mlm", ("bert-06-3",)),
    ("xor", ("bert-07-1",)),
    ("feature_finetune", ("bert-07-2",)),
    ("leak", ("bert-10",)),
    ("independence", ("bert-12",)),
    ("polysemy_task", ("bert-13-2",)),
    ("dropout", ("misc-13", "bert-07-5")),
)


def available() -> list[str]:
    return [name for name, _ in LABS if importlib.util.find_spec(f"views.bert.labs.{name}") is not None]


def render_lab(name: str, corpus: str) -> None:
    importlib.import_module(f"views.bert.labs.{name}").render(corpus)


def render(corpus: str) -> None:
    """The labs tab: one demo per remaining question."""
    names = available()
    st.markdown(t("bert.labs_intro"))
    # ?bert_lab=<module name>: a teacher's link opens the lab in either language
    pick = url_select(t("bert.lab_pick"), "bert_lab", names, [t(f"lab_{n}.title") for n in names])
    if pick:
        render_lab(pick, corpus)
