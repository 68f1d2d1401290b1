"""The BERT page's labs: one small Streamlit module per curriculum demo, each with `render(corpus: str) -> None`.

The page lists the labs in LABS order and shows only those whose module exists, so a lab is added by writing
views/bert/labs/<name>.py (+ assets/i18n/{en,zh}/lab_<name>.toml with at least `title`) and adding its name here."""

from __future__ import annotations

import importlib
import importlib.util

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


def render(name: str, corpus: str) -> None:
    importlib.import_module(f"views.bert.labs.{name}").render(corpus)
