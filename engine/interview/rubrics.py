"""The mock interview's rubrics: 3–6 key points per curriculum id and language (assets/rubrics/{en,zh}/<stem>.toml).

    points("w2v-01", "en")   -> (Point('w2v-01', 'cbow-direction', ...), ...)
    question("w2v-01", "en") -> the question as the learner sees it (curriculum title + the answer file's question)
    rubrics("zh")            -> {qid: (Point, ...)} for every file present

The format is described in docs of the rubric files' owner (tests/engine/interview/test_grader.py checks every file):
a point has an id, `say` (what an interviewer listens for), `ask` (the follow-up question), `demo` (query params of
the tab that proves it, `page` inside it overriding the curriculum entry's page), `evidence` (groups of alternative
terms, every group — or `need` of them — matched in one window of `span` sentences), optional `contra` (one wrong
statement as groups, or a list of such statements), `weight`, `ordered`, `negation`.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from engine.core.errors import InputError
from engine.interview import curriculum as cur

ROOT = Path(__file__).resolve().parents[2]
RUBRIC_DIR = ROOT / "assets" / "rubrics"
QA_DIR = ROOT / "assets" / "qa"
LANGS = ("en", "zh")

Group = tuple[str, ...]
Statement = tuple[Group, ...]


@dataclass(frozen=True)
class Point:
    qid: str
    id: str
    say: str
    ask: str
    page: str  # url path of the page whose tab proves the point
    params: tuple[tuple[str, str], ...]  # that tab's query params
    evidence: tuple[Group, ...]
    contra: tuple[Statement, ...] = ()
    weight: float = 1.0
    need: int = 0  # groups needed; 0 = all
    ordered: bool = False
    span: int = 2
    negation: bool = True

    @property
    def needed(self) -> int:
        return self.need or len(self.evidence)

    def link(self, lang: str) -> str:
        """The demo tab's address, e.g. '/word2vec?w2v_tab=train&lang=en'."""
        return f"/{self.page}?" + urlencode([*self.params, ("lang", lang)])


def _groups(raw, where: str) -> tuple[Group, ...]:
    if not isinstance(raw, list) or not raw:
        raise InputError("rubric", f"{where}: expected a non-empty list of groups")
    out = []
    for g in raw:
        if isinstance(g, str):
            g = [g]
        if not isinstance(g, list) or not g or not all(isinstance(t, str) and t.strip() for t in g):
            raise InputError("rubric", f"{where}: a group is a non-empty list of non-empty strings, got {g!r}")
        out.append(tuple(g))
    return tuple(out)


def _contra(raw, where: str) -> tuple[Statement, ...]:
    if raw is None or raw == []:
        return ()
    if not isinstance(raw, list):
        raise InputError("rubric", f"{where}: contra must be a list")
    # one statement (a list of groups: raw[0][0] is a string) or several (raw[0][0] is a list)
    if raw and isinstance(raw[0], list) and raw[0] and isinstance(raw[0][0], list):
        return tuple(_groups(s, where) for s in raw)
    return (_groups(raw, where),)


def _point(qid: str, p: dict, page: str, where: str) -> Point:
    for key in ("id", "say", "ask", "evidence"):
        if key not in p:
            raise InputError("rubric", f"{where}: point without {key!r}")
    demo = dict(p.get("demo", {}))
    point_page = str(demo.pop("page", page))
    evidence = _groups(p["evidence"], f"{where}/{p['id']}")
    need = int(p.get("need", 0))
    if not 0 <= need <= len(evidence):
        raise InputError("rubric", f"{where}/{p['id']}: need={need} with {len(evidence)} groups")
    weight = float(p.get("weight", 1.0))
    if not weight > 0:
        raise InputError("rubric", f"{where}/{p['id']}: weight must be > 0")
    return Point(
        qid=qid,
        id=str(p["id"]),
        say=str(p["say"]),
        ask=str(p["ask"]),
        page=point_page,
        params=tuple((str(k), str(v)) for k, v in demo.items()),
        evidence=evidence,
        contra=_contra(p.get("contra"), f"{where}/{p['id']}"),
        weight=weight,
        need=need,
        ordered=bool(p.get("ordered", False)),
        span=max(1, int(p.get("span", 2))),
        negation=bool(p.get("negation", True)),
    )


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError("lang", f"language must be one of {LANGS}, got {lang!r}")
    return lang


@functools.lru_cache(maxsize=None)
def rubrics(lang: str, directory: Path = RUBRIC_DIR) -> dict[str, tuple[Point, ...]]:
    """Every rubric of this language, from every file present."""
    _check_lang(lang)
    pages = {e.id: e.page for e in cur.entries()}
    out: dict[str, tuple[Point, ...]] = {}
    for path in sorted((directory / lang).glob("*.toml")):
        try:
            with path.open("rb") as f:
                table = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise InputError("rubric", f"{path.name}: {e}") from e
        for qid, body in table.items():
            where = f"{path.name}:{qid}"
            if qid not in pages:
                raise InputError("rubric", f"{where}: not a curriculum id")
            if qid in out:
                raise InputError("rubric", f"{where}: defined twice")
            out[qid] = tuple(_point(qid, p, pages[qid], where) for p in body.get("points", []))
    return out


def points(qid: str, lang: str) -> tuple[Point, ...]:
    table = rubrics(lang)
    if qid not in table:
        raise InputError("qid", f"no {lang} rubric for {qid!r}")
    return table[qid]


@functools.lru_cache(maxsize=None)
def _qa_questions(lang: str) -> dict[str, str]:
    out = {}
    for path in sorted((QA_DIR / lang).glob("*.toml")):
        with path.open("rb") as f:
            for qid, body in tomllib.load(f).items():
                if isinstance(body, dict) and "question" in body:
                    out[qid] = str(body["question"])
    return out


def question(qid: str, lang: str) -> str:
    """Every wording of the question the learner may have seen: the curriculum title and the answer file's question."""
    _check_lang(lang)
    entry = cur.by_id().get(qid)
    if entry is None:
        raise InputError("qid", f"unknown curriculum id {qid!r}")
    return "\n".join(x for x in (entry.title(lang), _qa_questions(lang).get(qid, "")) if x)
