"""The curriculum: every interview question of the handbook, one entry per id (assets/curriculum.toml).

    entries()            -> [Entry('ptm-01', 'ptm', zh, en, 'pretrained-models', 'ptm-01'), ...]   (65, in order)
    by_id()['misc-04']   -> one Entry
    chapters()           -> ['ptm', 'w2v', 'tf', 'glove', 'bert', 'misc']

The file is the single source of truth for the id list; pages and tests read it from here.
"""
from __future__ import annotations

import functools
import random
import tomllib
from dataclasses import dataclass
from pathlib import Path

CURRICULUM_FILE = Path(__file__).resolve().parent.parent / "assets" / "curriculum.toml"
CHAPTER_ORDER = ("ptm", "w2v", "tf", "glove", "bert", "misc")


@dataclass(frozen=True)
class Entry:
    id: str
    chapter: str  # ptm | w2v | tf | glove | bert | misc
    zh: str  # the handbook's heading, verbatim
    en: str
    page: str  # url_path of the page whose demo answers it (app.py NAV)
    anchor: str  # the section on that page

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@functools.lru_cache(maxsize=None)
def entries(path: Path = CURRICULUM_FILE) -> tuple[Entry, ...]:
    with path.open("rb") as f:
        table = tomllib.load(f)
    return tuple(Entry(id=qid, chapter=e["chapter"], zh=e["zh"], en=e["en"], page=e["page"],
                       anchor=e.get("anchor", qid)) for qid, e in table.items())


def by_id() -> dict[str, Entry]:
    return {e.id: e for e in entries()}


def chapters() -> list[str]:
    present = {e.chapter for e in entries()}
    return [c for c in CHAPTER_ORDER if c in present]


def search(items: tuple[Entry, ...], query: str, *, chapter: str | None = None,
           texts: dict[str, str] | None = None) -> list[Entry]:
    """Entries of `chapter` (all if None) whose id, titles or extra text (e.g. the answer) contain `query`."""
    q = query.strip().lower()
    out = []
    for e in items:
        if chapter and e.chapter != chapter:
            continue
        hay = " ".join([e.id, e.zh, e.en, (texts or {}).get(e.id, "")]).lower()
        if not q or q in hay:
            out.append(e)
    return out


def draw(ids: list[str], n: int, seed: int) -> list[str]:
    """A mock interview: n distinct ids drawn with a seeded generator (same seed -> same interview)."""
    rng = random.Random(seed)
    return rng.sample(list(ids), k=min(max(n, 0), len(ids)))
