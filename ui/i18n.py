"""i18n: every visible string comes from assets/i18n/<lang>/<namespace>.toml through `t()`.

    t("word2vec.train")                 -> table "train" of assets/i18n/<lang>/word2vec.toml
    t("common.steps", n=5)              -> str.format(**kwargs) applied to the text

The language is the value of the sidebar switch (session key "lang", bound to the URL as ?lang=zh).
Files are read once per process (they are read-only assets).
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

import streamlit as st

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
I18N_DIR = Path(__file__).resolve().parent.parent / "assets" / "i18n"
QA_DIR = Path(__file__).resolve().parent.parent / "assets" / "qa"


def _flatten(prefix: str, table: dict, out: dict[str, object]) -> None:
    for k, v in table.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            _flatten(key, v, out)
        else:
            out[key] = v


@functools.lru_cache(maxsize=None)
def strings(lang: str) -> dict[str, object]:
    """All strings of one language, keys flattened to 'namespace.key.sub'."""
    out: dict[str, object] = {}
    for path in sorted((I18N_DIR / lang).glob("*.toml")):
        with path.open("rb") as f:
            _flatten(path.stem, tomllib.load(f), out)
    return out


@functools.lru_cache(maxsize=None)
def qa(lang: str) -> dict[str, dict]:
    """Interview answers and quiz items per curriculum id, from assets/qa/<lang>/*.toml."""
    out: dict[str, dict] = {}
    for path in sorted((QA_DIR / lang).glob("*.toml")):
        with path.open("rb") as f:
            for qid, entry in tomllib.load(f).items():
                out[qid] = {**entry, "page": entry.get("page", path.stem)}
    return out


def lang_from_locale(locale: str | None) -> str:
    return "zh" if locale and locale.lower().startswith("zh") else "en"


def current_lang() -> str:
    lang = st.session_state.get("lang")
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, **fmt) -> str:
    """The text for `key` in the current language. A missing key shows as the key itself (tests catch it)."""
    value = strings(lang or current_lang()).get(key)
    if value is None:
        return key
    text = str(value)
    return text.format(**fmt) if fmt else text


def tl(key: str, lang: str | None = None) -> list:
    """A list value (e.g. options) in the current language."""
    value = strings(lang or current_lang()).get(key)
    return list(value) if isinstance(value, list) else [key]
