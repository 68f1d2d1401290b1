"""Small shared Streamlit pieces: interview answers next to a demo, export buttons."""
from __future__ import annotations

import json
from typing import Iterable

import pandas as pd
import streamlit as st

from ui.i18n import current_lang, qa, t


def qa_panel(ids: Iterable[str], *, expanded: bool = False) -> None:
    """The interview answers for these curriculum ids, in the current language, one expander each."""
    answers = qa(current_lang())
    for qid in ids:
        entry = answers.get(qid)
        if entry is None:
            continue
        with st.expander(f"**{qid}** · {entry.get('question', qid)}", expanded=expanded):
            st.markdown(entry.get("answer", ""))


def download_csv(df: pd.DataFrame, name: str, *, key: str) -> None:
    st.download_button(t("common.download_csv"), df.to_csv(index=False).encode("utf-8"), file_name=f"{name}.csv",
                       mime="text/csv", key=key)


def download_json(data: object, name: str, *, key: str) -> None:
    st.download_button(t("common.download_json"), json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
                       file_name=f"{name}.json", mime="application/json", key=key)
