"""Small shared Streamlit pieces: bound widgets that check what a link brings, cached figures, charts with an
export, interview answers next to a demo, export buttons."""

from __future__ import annotations

import importlib
import inspect
import json
import math
import re
from typing import Any, Callable, Iterable

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
            if entry.get("lead"):  # the 30-second answer first, then the depth (as the interview page shows it)
                st.markdown(f"**{entry['lead'].strip()}**")
            st.markdown(entry.get("answer", ""))


def download_csv(df: pd.DataFrame, name: str, *, key: str) -> None:
    st.download_button(
        t("common.download_csv"),
        df.to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key,
    )


def download_json(data: object, name: str, *, key: str) -> None:
    st.download_button(
        t("common.download_json"),
        json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
        file_name=f"{name}.json",
        mime="application/json",
        key=key,
    )


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
    return {"toImageButtonOptions": {"format": fmt, "filename": export_name(name), "scale": 2}, "displaylogo": False}


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM: Excel then opens Chinese text correctly; pandas and Python's csv read it back unchanged."""
    return df.to_csv(index=False).encode("utf-8-sig")


def chart(
    fig, *, key: str, name: str, data: pd.DataFrame | None = None, image_format: str | None = None, on=None
) -> None:
    """Draw a plotly figure full-width with a named image export, and a CSV of `data` under it when given.

    `on` is where to draw (a column or container; default the main area). The CSV button does not rerun the page."""
    where = on if on is not None else st
    where.plotly_chart(fig, width="stretch", key=key, config=chart_config(name, image_format))
    if data is not None:
        where.download_button(
            t("common.download_csv"),
            csv_bytes(data),
            file_name=f"{export_name(name)}.csv",
            mime="text/csv",
            key=f"{key}:csv",
            on_click="ignore",
            icon=":material/download:",
            type="tertiary",
        )


def history_frame(history, *, step: str = "step", loss: str = "loss") -> pd.DataFrame:
    """A training run's progress (engine.core.train.Progress list) as a table: step, loss and every metric."""
    rows = [{step: p.step, loss: p.loss, **dict(p.metrics)} for p in history]
    return pd.DataFrame(rows)


def matrix_frame(matrix, rows, cols, *, corner: str = "") -> pd.DataFrame:
    """A labelled matrix (attention weights, counts) as a table: first column the row labels, `i·token` so repeated
    tokens stay distinct."""
    m = matrix.detach().cpu().numpy() if hasattr(matrix, "detach") else matrix
    df = pd.DataFrame(m, columns=[f"{j}·{c}" for j, c in enumerate(cols)])
    df.insert(0, corner, [f"{i}·{r}" for i, r in enumerate(rows)])
    return df


# ---------------------------------------------------------------- widgets bound to the URL
TEXT_CAP = 5000  # characters a bound text box takes from a link when the widget sets no max_chars
BOUND_REGISTRY = "_bound_widgets"  # session_state: {key: widget kind} of the bound widgets drawn in this session
_NUMBERS = ("slider", "number_input")
_CHOICES = ("selectbox", "radio", "select_slider", "segmented_control", "pills")
_TEXTS = ("text_input", "text_area")
_BOOLS = ("checkbox", "toggle")


def bound(widget: Callable, label: str, *args, key: str, **kwargs) -> Any:
    """`widget(label, *args, key=key, **kwargs)` bound to `?<key>=` (st.slider, a column's number_input, ...).

    A link is input too: before the widget is drawn, the value the URL holds for `key` is checked like typed
    input against the widget's own arguments (range, options, length). Out of range is clamped, a value that is
    not a number, not finite, not an option or of the wrong type falls back to the default, an oversized text is
    cut; each with a short notice in the current language. The URL then holds the corrected value."""
    kind = getattr(widget, "__name__", "")
    st.session_state.setdefault(BOUND_REGISTRY, {})[key] = kind  # lets tests craft links for every bound widget
    if key in st.query_params:
        spec = inspect.signature(widget).bind_partial(label, *args, **kwargs).arguments
        raw = st.query_params.get(key)
        fixed = check_url_value(kind, spec, raw)
        if fixed is not None:
            value, note = fixed
            _set_url_value(key, value)
            st.toast(
                t("common.link_fixed", label=_plain(label), raw=_plain(raw)[:40], fixed=note),
                icon=":material/link_off:",
            )
    return widget(label, *args, key=key, bind="query-params", **kwargs)


def _plain(text: object) -> str:
    """For a notice: no markdown, backticks or line breaks from a link survive."""
    return re.sub(r"[`*_\[\]<>\\\n\r]", " ", str(text)).strip()


def check_url_value(kind: str, spec: dict, raw: str) -> tuple[str | None, str] | None:
    """None if `raw` is a usable URL value for a widget of `kind` with these arguments; else (corrected value or
    None for the default, what the notice says). Pure: the hostile-link tests call it directly too."""
    if kind in _NUMBERS:
        return _check_number(spec, raw)
    if kind in _CHOICES:
        options = list(spec.get("options", []))
        fmt = spec.get("format_func")
        allowed = {str(fmt(o)) if fmt is not None else str(o) for o in options}
        if kind == "select_slider" and isinstance(spec.get("value"), (tuple, list)):
            parts = raw.split(",") if isinstance(raw, str) else list(raw)
            return None if all(p in allowed for p in parts) else (None, t("common.link_default"))
        return None if raw in allowed else (None, t("common.link_default"))
    if kind in _TEXTS:
        cap = spec.get("max_chars") or TEXT_CAP
        return (raw[:cap], t("common.link_cut", n=cap)) if isinstance(raw, str) and len(raw) > cap else None
    if kind in _BOOLS:
        return None if str(raw).lower() in ("true", "false") else (None, t("common.link_default"))
    return None


def _check_number(spec: dict, raw: str) -> tuple[str | None, str] | None:
    lo, hi, default = spec.get("min_value"), spec.get("max_value"), spec.get("value", "min")
    if isinstance(default, (tuple, list)):  # a range slider: "a,b" within bounds, else its default
        parts = str(raw).split(",")
        try:
            vals = [float(p) for p in parts]
        except ValueError:
            return None, t("common.link_default")
        ok = (
            len(vals) == len(default)
            and all(math.isfinite(v) for v in vals)
            and all((lo is None or v >= lo) and (hi is None or v <= hi) for v in vals)
        )
        return None if ok else (None, t("common.link_default"))
    integer = all(
        isinstance(v, int) and not isinstance(v, bool) for v in (lo, hi, spec.get("step")) if v is not None
    ) and (default is None or isinstance(default, (int, str)))
    try:
        value = float(str(raw).strip())
    except ValueError:
        return None, t("common.link_default")
    if not math.isfinite(value):
        return None, t("common.link_default")
    clamped = min(max(value, lo if lo is not None else value), hi if hi is not None else value)
    if integer:
        clamped = float(round(clamped))
    if clamped == value and (not integer or str(raw).strip().lstrip("+-").isdigit()):
        return None
    text = str(int(clamped)) if integer else repr(clamped)
    return text, t("common.link_clamped", value=text)


def _set_url_value(key: str, value: str | None) -> None:
    """Correct the URL, and the copy of it Streamlit seeds bound widgets from (the query string the session
    opened with: correcting st.query_params alone would not reach a widget drawn for the first time)."""
    if value is None:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value
    try:
        from streamlit.runtime.state.session_state_proxy import get_session_state  # internal API

        with get_session_state().query_params() as qp:
            initial = qp._initial_query_params
            if value is None:
                initial.pop(key, None)
            else:
                initial[key] = [value]
    except Exception:  # noqa: BLE001 - internal API; st.query_params was corrected above
        pass


# ---------------------------------------------------------------- figures built once per input
@st.cache_resource(show_spinner=False, max_entries=512)
def _figure(module: str, name: str, *args, **kwargs):
    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def figure(fn: Callable, *args, **kwargs):
    """`fn(*args, **kwargs)` for a viz function, built once per input and shared: most of a rerun's cost is
    plotly building figures whose data did not change (another widget moved, or another student has the same
    settings). One shared, read-only go.Figure per input (st.plotly_chart only reads it): a Figure skips the
    validation st.plotly_chart gives a dict, and cache_resource skips cache_data's copy."""
    return _figure(fn.__module__, fn.__qualname__, *args, **kwargs)
