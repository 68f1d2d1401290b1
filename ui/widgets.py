"""Small shared Streamlit pieces: interview answers next to a demo, export buttons."""
from __future__ import annotations

import json
import re
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


# ---------------------------------------------------------------- charts with an explicit export
IMAGE_FORMATS = ("png", "svg")


def export_name(name: str) -> str:
    """A file name stem any OS accepts (chart names are language-independent, e.g. "word2vec-neighbours")."""
    return re.sub(r"[^0-9A-Za-z_.-]+", "-", name).strip("-.") or "chart"


def chart_config(name: str, image_format: str | None = None) -> dict:
    """Plotly config: the toolbar's camera saves `<name>.png` at 2x (crisp on a projector or a slide), or `.svg`.

    Plotly's modebar has one image button with one format (a second button needs a JavaScript callback, which a
    JSON config cannot carry), so the format is chosen here: the page's choice, overridden by a session-wide
    "chart_format" preference when the app offers one."""
    fmt = st.session_state.get("chart_format") or image_format or "png"
    fmt = fmt if fmt in IMAGE_FORMATS else "png"
    return {"toImageButtonOptions": {"format": fmt, "filename": export_name(name), "scale": 2},
            "displaylogo": False}


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM: Excel then opens Chinese text correctly; pandas and Python's csv read it back unchanged."""
    return df.to_csv(index=False).encode("utf-8-sig")


def chart(fig, *, key: str, name: str, data: pd.DataFrame | None = None, image_format: str | None = None,
          on=None) -> None:
    """Draw a plotly figure full-width with a named image export, and a CSV of `data` under it when given.

    `on` is where to draw (a column or container; default the main area). The CSV button does not rerun the page."""
    where = on if on is not None else st
    where.plotly_chart(fig, width="stretch", key=key, config=chart_config(name, image_format))
    if data is not None:
        where.download_button(t("common.download_csv"), csv_bytes(data), file_name=f"{export_name(name)}.csv",
                              mime="text/csv", key=f"{key}:csv", on_click="ignore", icon=":material/download:",
                              type="tertiary")


def history_frame(history, *, step: str = "step", loss: str = "loss") -> pd.DataFrame:
    """A training run's progress (engine.train.Progress list) as a table: step, loss and every metric."""
    rows = [{step: p.step, loss: p.loss, **dict(p.metrics)} for p in history]
    return pd.DataFrame(rows)


def matrix_frame(matrix, rows, cols, *, corner: str = "") -> pd.DataFrame:
    """A labelled matrix (attention weights, counts) as a table: first column the row labels, `i·token` so repeated
    tokens stay distinct."""
    m = matrix.detach().cpu().numpy() if hasattr(matrix, "detach") else matrix
    df = pd.DataFrame(m, columns=[f"{j}·{c}" for j, c in enumerate(cols)])
    df.insert(0, corner, [f"{i}·{r}" for i, r in enumerate(rows)])
    return df
