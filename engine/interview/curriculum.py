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

CURRICULUM_FILE = Path(__file__).resolve().parents[2] / "assets" / "curriculum.toml"
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
    return tuple(
        Entry(id=qid, chapter=e["chapter"], zh=e["zh"], en=e["en"], page=e["page"], anchor=e.get("anchor", qid))
        for qid, e in table.items()
    )


def by_id() -> dict[str, Entry]:
    return {e.id: e for e in entries()}


def chapters() -> list[str]:
    present = {e.chapter for e in entries()}
    return [c for c in CHAPTER_ORDER if c in present]


def search(
    items: tuple[Entry, ...], query: str, *, chapter: str | None = None, texts: dict[str, str] | None = None
) -> list[Entry]:
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


# ---------------------------------------------------------------- quiz bookkeeping (pure; the page keeps the dict)
PAGE_ORDER = ("word2vec", "glove", "pretrained-models", "transformer", "bert", "sequence-labeling", "interview")


def tour() -> list[Entry]:
    """The classroom tour: page by page in the navigation order, each page's questions in curriculum order."""
    rank = {p: i for i, p in enumerate(PAGE_ORDER)}
    items = list(entries())
    return sorted(items, key=lambda e: (rank.get(e.page, len(rank)), items.index(e)))


def quiz_items(answers: dict[str, dict], ids: list[str]) -> list[tuple[str, int, dict]]:
    """(id, item number, item) for every quiz item of these ids that has an answer file entry."""
    return [(qid, i, q) for qid in ids for i, q in enumerate(answers.get(qid, {}).get("quiz", []))]


def record(progress: dict, qid: str, item: int, chosen: int, correct: int) -> dict:
    """Store one answer; progress[f"{qid}#{item}"] = {"id", "item", "chosen", "correct"} (last answer wins)."""
    progress[f"{qid}#{item}"] = {"id": qid, "item": item, "chosen": int(chosen), "correct": int(chosen) == int(correct)}
    return progress


def scores(progress: dict) -> dict[str, tuple[int, int]]:
    """chapter -> (right, answered)."""
    chap = {e.id: e.chapter for e in entries()}
    out: dict[str, tuple[int, int]] = {}
    for rec in progress.values():
        c = chap.get(rec["id"], "?")
        right, n = out.get(c, (0, 0))
        out[c] = (right + int(rec["correct"]), n + 1)
    return out


def progress_markdown(progress: dict, lang: str, heading: str, right: str, wrong: str) -> str:
    titles = {e.id: e.title(lang) for e in entries()}
    lines = [f"# {heading}", ""]
    for chap, (r, n) in scores(progress).items():
        lines.append(f"- **{chap}**: {r}/{n}")
    lines.append("")
    for key in sorted(progress):
        rec = progress[key]
        lines.append(
            f"- {rec['id']} · {titles.get(rec['id'], '')} · #{rec['item'] + 1}: {right if rec['correct'] else wrong}"
        )
    return "\n".join(lines) + "\n"
