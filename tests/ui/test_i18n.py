"""Every string exists in en and zh, none is empty, and every t() key used in code exists."""

import re
import tomllib
from pathlib import Path

import pytest

from ui.i18n import I18N_DIR, QA_DIR, qa, strings

ROOT = Path(__file__).resolve().parents[2]


def _keys(d: dict, prefix="") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else k
        out.update(_keys(v, key) if isinstance(v, dict) else {key: v})
    return out


def _check_pair(en_dir: Path, zh_dir: Path):
    en_files = {p.name for p in en_dir.glob("*.toml")}
    zh_files = {p.name for p in zh_dir.glob("*.toml")}
    assert en_files == zh_files, f"files only in one language: {en_files ^ zh_files}"
    for name in sorted(en_files):
        en = _keys(tomllib.loads((en_dir / name).read_text(encoding="utf-8")))
        zh = _keys(tomllib.loads((zh_dir / name).read_text(encoding="utf-8")))
        assert set(en) == set(zh), f"{name}: keys differ: {sorted(set(en) ^ set(zh))}"
        for key in en:
            for lang, val in (("en", en[key]), ("zh", zh[key])):
                assert val not in ("", [], None), f"{lang}/{name}: {key} is empty"
                if isinstance(val, str):
                    assert val.strip(), f"{lang}/{name}: {key} is blank"


def test_i18n_files_have_same_keys_and_no_empty_values():
    _check_pair(I18N_DIR / "en", I18N_DIR / "zh")


def test_qa_files_have_same_keys_and_no_empty_values():
    _check_pair(QA_DIR / "en", QA_DIR / "zh")


def test_every_literal_t_key_used_in_code_exists():
    en, zh = strings("en"), strings("zh")
    pattern = re.compile(r"""\bt\(\s*f?["']([a-z_][\w.]*)["']""")
    missing = []
    for path in [ROOT / "app.py", *(ROOT / "views").rglob("*.py"), *(ROOT / "ui").glob("*.py")]:
        if path.name == "i18n.py":
            continue  # its docstring shows example keys
        for m in pattern.finditer(path.read_text(encoding="utf-8")):
            key = m.group(1)
            if "{" in key or key.endswith("."):
                continue  # f-string keys are checked by the page tests (no raw key on screen)
            if key not in en or key not in zh:
                missing.append(f"{path.name}: {key}")
    assert not missing, missing


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_format_placeholders_match_across_languages(lang):
    other = "zh" if lang == "en" else "en"
    ph = re.compile(r"\{(\w+)")
    for key, val in strings(lang).items():
        if isinstance(val, str):
            assert set(ph.findall(val)) == set(ph.findall(str(strings(other).get(key, "")))), key


def _bad_bold_closers(text: str) -> list[str]:
    closers = [m.start() for m in re.finditer(r"\*\*", text)][1::2]  # the 2nd, 4th, ... ** close bold runs
    punct, word = "：，。！？、；）」』】", re.compile(r"[\w\u4e00-\u9fff]")
    return [
        text[max(0, i - 8) : i + 4]
        for i in closers
        if i > 0 and text[i - 1] in punct and i + 2 < len(text) and word.match(text[i + 2])
    ]


def test_markdown_bold_closes_after_cjk_punctuation():
    """CommonMark does not close `**粗体：**后文`: a closing ** after punctuation must be followed by space or
    punctuation. Write `**粗体**：后文` instead."""
    texts = {f"{lang}:{k}": v for lang in ("en", "zh") for k, v in strings(lang).items()}
    texts.update({f"qa/{lang}:{qid}": e.get("answer", "") for lang in ("en", "zh") for qid, e in qa(lang).items()})
    offenders = [f"{k}: {bad}" for k, v in texts.items() if isinstance(v, str) and (bad := _bad_bold_closers(v))]
    assert not offenders, offenders
