"""Export and import of a learner's progress as JSON (store/progress.schema.json, "nlp-atlas-progress" version 1).

The file holds the learner's cards and, for each, every answer's time, rating and correctness (which define the
schedule) and the detail of the card's newest answer (what the notebook shows). It names no learner: importing it
adds its cards and answers to whichever learner imports it.

An import is checked before anything is written — size (MAX_BYTES), UTF-8, strict JSON (no NaN/Infinity, no
duplicate keys, no numbers past 15 digits), our schema and version, then the JSON schema (which caps every count
and string) and our own rules (times, markup, refs) — and is then written in one transaction: all of it or
nothing. Card states in the file are not trusted: each card is rebuilt by replaying its merged answer log through
FSRS (store.cards.replay). Answers already stored (same time, rating and correctness) are skipped, so importing
the same file twice changes nothing the second time.

Errors are StoreError with these codes: too_big, encoding, not_json, number, foreign (not our file), version
(a newer format), invalid (breaks the schema or a rule), too_many (over a count limit), markup (HTML in a text),
learner (no such learner).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from itertools import islice
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from . import cards as C
from .db import run_write, session
from .errors import StoreError
from .models import Card, Learner, Review

SCHEMA = "nlp-atlas-progress"
VERSION = 1
SCHEMA_FILE = Path(__file__).resolve().parent / "progress.schema.json"
MAX_BYTES = 2_000_000
MAX_CARDS = 5000  # per file and per learner
MAX_REVIEWS = 20000  # per file
EARLIEST = datetime(2020, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class ImportSummary:
    cards_added: int
    cards_updated: int
    reviews_added: int
    reviews_skipped: int  # already stored


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(timezone.utc).isoformat()


def export_progress(learner_id: int, url: str | Engine | None = None, now: datetime | None = None) -> dict:
    """The learner's progress as a dict that json.dumps writes and import_progress reads back."""
    C._check_learner_id(learner_id)
    with session(url) as s:
        rows = s.scalars(select(Card).where(Card.learner_id == learner_id).order_by(Card.kind, Card.ref)).all()
        logs: dict[int, list[Review]] = {}
        stmt = select(Review).where(Review.learner_id == learner_id).order_by(Review.reviewed_at, Review.id)
        for r in s.scalars(stmt):
            logs.setdefault(r.card_id, []).append(r)
    out = []
    for row in rows:
        log = logs.get(row.id, [])
        reviews = [{"at": _iso(r.reviewed_at), "rating": r.rating, "correct": r.correct} for r in log]
        if log and log[-1].detail is not None:
            reviews[-1]["detail"] = log[-1].detail
        out.append(
            {
                "kind": row.kind,
                "ref": row.ref,
                "topic": row.topic,
                "state": row.state,
                "step": row.step,
                "stability": row.stability,
                "difficulty": row.difficulty,
                "due": _iso(row.due),
                "last_review": _iso(row.last_review),
                "reps": row.reps,
                "lapses": row.lapses,
                "last_correct": row.last_correct,
                "reviews": reviews,
            }
        )
    return {"schema": SCHEMA, "version": VERSION, "exported_at": _iso(C._utc(now)), "cards": out}


def export_json(learner_id: int, url: str | Engine | None = None, now: datetime | None = None) -> str:
    """export_progress as compact JSON text (UTF-8 when encoded), ready for a download button."""
    doc = export_progress(learner_id, url, now)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class _Bad(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _no_constant(name):
    raise _Bad("number", f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Bad("number", f"number {text[:20]} is out of range")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > 15:
        raise _Bad("number", "an integer with more than 15 digits")
    return int(text)


def _pairs(items):
    out = {}
    for key, value in items:
        if key in out:
            raise _Bad("invalid", f"the key {key[:40]!r} appears twice in one object")
        out[key] = value
    return out


def parse(raw: bytes | str) -> dict:
    """Size, encoding and strict JSON; StoreError for anything else."""
    if isinstance(raw, bytearray | memoryview):
        raw = bytes(raw)
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise StoreError("too_big", f"the file is larger than {MAX_BYTES // 1_000_000} MB")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise StoreError("encoding", "the file is not UTF-8 text") from exc
    elif isinstance(raw, str):
        if len(raw) > MAX_BYTES or len(raw.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise StoreError("too_big", f"the file is larger than {MAX_BYTES // 1_000_000} MB")
        text = raw.removeprefix("\ufeff")
    else:
        raise StoreError("not_json", "expected the file's bytes or text")
    try:
        return json.loads(
            text, parse_constant=_no_constant, parse_float=_float, parse_int=_int, object_pairs_hook=_pairs
        )
    except _Bad as exc:
        raise StoreError(exc.code, str(exc)) from None
    except (ValueError, RecursionError) as exc:
        raise StoreError("not_json", "the file is not valid JSON") from exc


@cache
def _validator():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _time(text: str, now: datetime) -> datetime:
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise StoreError("invalid", f"not a time: {text[:40]!r}") from None
    if t.tzinfo is None:
        raise StoreError("invalid", "times need a zone")
    t = t.astimezone(timezone.utc)
    if not EARLIEST <= t <= now + timedelta(days=1):
        raise StoreError("invalid", f"time {text} is out of range")
    return t


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _over_a_limit(err) -> bool:
    """A count limit broke, here or in a branch of an anyOf (a detail's list of 21 items fails both branches)."""
    return err.validator in ("maxItems", "maxProperties") or any(_over_a_limit(e) for e in err.context or ())


def validate(doc, now: datetime | None = None) -> list[dict]:
    """The file's cards, checked; each review's "at" parsed to a UTC datetime (a new list: `doc` is untouched)."""
    now = C._utc(now)
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise StoreError("foreign", "this is not an NLP Atlas progress file")
    version = doc.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise StoreError("version", f"the file is format version {version}; this app reads up to {VERSION}")
    errors = list(islice(_validator().iter_errors(doc), 20))
    if errors:
        from jsonschema.exceptions import best_match

        err = best_match(errors)
        code = "too_many" if any(_over_a_limit(e) for e in errors) else "invalid"
        where = "/".join(str(p) for p in err.absolute_path)[:80]
        raise StoreError(code, f"the file breaks the schema at /{where}: {err.validator}")
    for text in _strings(doc):
        if C.MARKUP_RE.search(text):
            raise StoreError("markup", "the file has HTML in a text")
        if C.CONTROL_RE.search(text):
            raise StoreError("invalid", "the file has control characters in a text")
    if sum(len(c["reviews"]) for c in doc["cards"]) > MAX_REVIEWS:
        raise StoreError("too_many", f"more than {MAX_REVIEWS} answers")
    seen, out = set(), []
    for card in doc["cards"]:
        try:
            C.check_key(card["kind"], card["ref"], card["topic"])
            reviews = [
                {**r, "at": _time(r["at"], now), "detail": C.clean_detail(r.get("detail"))} for r in card["reviews"]
            ]
        except StoreError as exc:
            raise StoreError("invalid", str(exc)) from None
        key = (card["kind"], card["ref"])
        if key in seen:
            raise StoreError("invalid", f"the card {key} appears twice")
        seen.add(key)
        out.append({"kind": card["kind"], "ref": card["ref"], "topic": card["topic"], "reviews": reviews})
    return out


def _review_key(at: datetime, rating: int, correct: bool) -> tuple:
    return (at, int(rating), bool(correct))


def import_progress(
    learner_id: int, raw: bytes | str, url: str | Engine | None = None, now: datetime | None = None
) -> ImportSummary:
    """Merge a progress file into `learner_id`'s cards, all or nothing; StoreError (module docstring) otherwise."""
    C._check_learner_id(learner_id)
    file_cards = validate(parse(raw), now)

    def write(s):
        if s.get(Learner, learner_id) is None:
            raise StoreError("learner", f"no learner {learner_id}")
        mine = {(c.kind, c.ref): c for c in s.scalars(select(Card).where(Card.learner_id == learner_id))}
        new_cards = sum((c["kind"], c["ref"]) not in mine for c in file_cards)
        if len(mine) + new_cards > MAX_CARDS:
            raise StoreError("too_many", f"a learner keeps at most {MAX_CARDS} cards")
        stored: dict[int, list[Review]] = {}
        if mine:
            for r in s.scalars(
                select(Review).where(Review.learner_id == learner_id).order_by(Review.reviewed_at, Review.id)
            ):
                stored.setdefault(r.card_id, []).append(r)
        added = updated = reviews_added = skipped = 0
        for fc in file_cards:
            row = mine.get((fc["kind"], fc["ref"]))
            old = stored.get(row.id, []) if row is not None else []
            keys = {_review_key(r.reviewed_at, r.rating, r.correct) for r in old}
            fresh = []
            for r in fc["reviews"]:
                key = _review_key(r["at"], r["rating"], r["correct"])
                if key in keys:
                    skipped += 1
                else:
                    keys.add(key)
                    fresh.append(r)
            if not fresh:
                continue
            log = sorted(
                [(r.reviewed_at, r.rating, r.correct) for r in old]
                + [(r["at"], r["rating"], r["correct"]) for r in fresh],
                key=lambda item: item[0],
            )
            st = C.replay((at, rating) for at, rating, _ in log)
            if row is None:
                row = Card(
                    learner_id=learner_id, kind=fc["kind"], ref=fc["ref"], topic=fc["topic"], created_at=log[0][0]
                )
                s.add(row)
                added += 1
            else:
                updated += 1
            C.store_state(row, st)
            row.last_correct = log[-1][2]
            s.flush()
            s.add_all(
                Review(
                    card_id=row.id,
                    learner_id=learner_id,
                    rating=int(r["rating"]),
                    correct=r["correct"],
                    reviewed_at=r["at"],
                    detail=r["detail"],
                )
                for r in fresh
            )
            reviews_added += len(fresh)
        s.flush()
        return ImportSummary(added, updated, reviews_added, skipped)

    return run_write(write, url)
