"""Spaced review: every quiz item, mock question and predict-then-see guess is an FSRS card.

Card kinds and their refs: "quiz" "<qid>#<item>", "mock" "<qid>" or "<qid>:<point_id>", "guess" a predict-then-see
key. `review()` creates the card on its first answer, rates it (correct -> Good, wrong -> Again, or an explicit
fsrs.Rating), schedules it with fsrs.Scheduler and writes the review log. The scheduler runs without fuzzing
(fsrs's fuzz draws from Python's global random, and this project never does): a card's state is then a pure
function of its (rating, time) log, which `replay()` recomputes — the import uses that instead of trusting a file.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from .db import run_write, session
from .errors import StoreError
from .models import Card, Review

SCHEDULER = Scheduler(enable_fuzzing=False)
KINDS = ("quiz", "mock", "guess")
REF_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:#/@+=-]{0,199}")
TOPIC_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")
MARKUP_RE = re.compile(r"<[A-Za-z!/?]")  # the start of a tag, a comment or a processing instruction
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")  # and lone surrogates: not UTF-8
MAX_TEXT = 2000  # a typed answer in a review's detail
MAX_ITEM_TEXT = 200  # a string inside a detail's list
MAX_LIST = 20
MAX_DETAIL_KEYS = 16
MAX_INT = 10**12


@dataclass(frozen=True)
class CardState:
    """What FSRS keeps about a card, plus our counters (reps: answers; lapses: Again while in the Review state)."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True)
class CardView:
    id: int
    kind: str
    ref: str
    topic: str
    state: int  # fsrs.State value
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    last_correct: bool | None
    reps: int
    lapses: int
    retrievability: float  # FSRS's probability of recall at the `now` the view was read (0 before any review)


@dataclass(frozen=True)
class NotebookEntry:
    card: CardView
    reviewed_at: datetime
    rating: int
    detail: dict | None


@dataclass(frozen=True)
class Counts:
    due_now: int
    due_today: int  # due before the end of today (in `tz`), due_now included
    total: int
    reviewed_today: int  # answers given since the start of today
    wrong: int  # cards whose newest answer was wrong (the notebook's size)


@dataclass(frozen=True)
class TopicStats:
    retrievability: float
    cards: int
    due: int
    wrong: int


def initial(now: datetime) -> CardState:
    return CardState(State.Learning.value, 0, None, None, now, None)


def _fsrs(st: CardState | Card) -> FsrsCard:
    return FsrsCard(
        card_id=1,
        state=State(st.state),
        step=st.step,
        stability=st.stability,
        difficulty=st.difficulty,
        due=st.due,
        last_review=st.last_review,
    )


def advance(st: CardState, rating: Rating, at: datetime) -> CardState:
    """One answer: fsrs.Scheduler.review_card on the card's state."""
    new, _log = SCHEDULER.review_card(_fsrs(st), Rating(rating), at)
    lapse = int(Rating(rating) == Rating.Again and st.state == State.Review.value)
    return CardState(
        new.state.value,
        new.step,
        new.stability,
        new.difficulty,
        new.due,
        new.last_review,
        st.reps + 1,
        st.lapses + lapse,
    )


def replay(log: Iterable[tuple[datetime, int]]) -> CardState:
    """The card's state after its (time, rating) log, in time order (the import's source of truth)."""
    log = sorted(log, key=lambda item: item[0])
    st = initial(log[0][0]) if log else None
    for at, rating in log:
        st = advance(st, Rating(rating), at)
    return st


def retrievability(st: CardState | Card, now: datetime) -> float:
    if st.last_review is None or st.stability is None:
        return 0.0
    return float(SCHEDULER.get_card_retrievability(_fsrs(st), now))


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise StoreError("time", "times must be timezone-aware datetimes")
    return now.astimezone(timezone.utc)


def clean_text(text: str, cap: int = MAX_TEXT) -> str:
    """Control characters dropped (newline and tab kept), markup defused (a text with a tag in it is HTML-escaped:
    it is shown as typed, never run), cut to `cap` characters."""
    text = CONTROL_RE.sub("", text)
    if MARKUP_RE.search(text):
        text = html.escape(text, quote=False)
    return text[:cap]


def _clean_scalar(value, cap: int):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise StoreError("detail", f"number {value} is out of range")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise StoreError("detail", "numbers must be finite")
        return value
    if isinstance(value, str):
        return clean_text(value, cap)
    raise StoreError("detail", f"unsupported value of type {type(value).__name__}")


def clean_detail(detail: dict | None) -> dict | None:
    """A review's detail as stored: at most 16 keys (lowercase identifiers) whose values are null, booleans,
    numbers (finite, |x| <= 10^12), text (cut to 2,000 characters) or lists of at most 20 such (text cut to 200)."""
    if detail is None:
        return None
    if not isinstance(detail, dict) or len(detail) > MAX_DETAIL_KEYS:
        raise StoreError("detail", "a detail is a dict of at most 16 entries")
    out = {}
    for key, value in detail.items():
        if not isinstance(key, str) or not KEY_RE.fullmatch(key):
            raise StoreError("detail", f"detail key {key!r} is not a lowercase identifier")
        if isinstance(value, list | tuple):
            if len(value) > MAX_LIST:
                raise StoreError("detail", f"detail list {key!r} has more than {MAX_LIST} items")
            out[key] = [_clean_scalar(v, MAX_ITEM_TEXT) for v in value]
        else:
            out[key] = _clean_scalar(value, MAX_TEXT)
    return out


def check_key(kind: str, ref: str, topic: str) -> None:
    if kind not in KINDS:
        raise StoreError("kind", f"card kind must be one of {KINDS}")
    if not isinstance(ref, str) or not REF_RE.fullmatch(ref):
        raise StoreError("ref", "a ref is 1-200 letters, digits and _.:#/@+=-")
    if not isinstance(topic, str) or not TOPIC_RE.fullmatch(topic):
        raise StoreError("topic", "a topic is 1-64 letters, digits and _.-")


def _check_learner_id(learner_id) -> None:
    if isinstance(learner_id, bool) or not isinstance(learner_id, int):
        raise StoreError("learner", "learner_id must be an int")


def _view(row: Card, now: datetime) -> CardView:
    return CardView(
        row.id,
        row.kind,
        row.ref,
        row.topic,
        row.state,
        row.step,
        row.stability,
        row.difficulty,
        row.due,
        row.last_review,
        row.last_correct,
        row.reps,
        row.lapses,
        retrievability(row, now),
    )


def lock_card(s, learner_id: int, kind: str, ref: str, topic: str, now: datetime) -> Card:
    """The learner's card (kind, ref), created if new, locked for this transaction (PostgreSQL: FOR UPDATE;
    SQLite: the transaction already holds the write lock)."""
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    st = initial(now)
    s.execute(
        insert(Card)
        .values(
            learner_id=learner_id,
            kind=kind,
            ref=ref,
            topic=topic,
            state=st.state,
            step=st.step,
            due=now,
            reps=0,
            lapses=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["learner_id", "kind", "ref"])
    )
    where = (Card.learner_id == learner_id, Card.kind == kind, Card.ref == ref)
    return s.execute(select(Card).where(*where).with_for_update()).scalar_one()


def state_of(row: Card) -> CardState:
    return CardState(row.state, row.step, row.stability, row.difficulty, row.due, row.last_review, row.reps, row.lapses)


def store_state(row: Card, st: CardState) -> None:
    row.state, row.step, row.stability, row.difficulty = st.state, st.step, st.stability, st.difficulty
    row.due, row.last_review, row.reps, row.lapses = st.due, st.last_review, st.reps, st.lapses


def review(
    learner_id: int,
    kind: str,
    ref: str,
    topic: str,
    correct: bool,
    detail: dict | None = None,
    now: datetime | None = None,
    *,
    rating: Rating | int | None = None,
    url: str | Engine | None = None,
) -> CardView:
    """Record one answer and reschedule its card; returns the card as it is now (next due time included)."""
    _check_learner_id(learner_id)
    check_key(kind, ref, topic)
    if not isinstance(correct, bool):
        raise StoreError("correct", "correct must be a bool")
    if rating is None:
        rating = Rating.Good if correct else Rating.Again
    elif isinstance(rating, bool) or rating not in (1, 2, 3, 4):
        raise StoreError("rating", "rating must be an fsrs.Rating (1-4)")
    now, clean = _utc(now), clean_detail(detail)

    def write(s):
        try:
            row = lock_card(s, learner_id, kind, ref, topic, now)
        except IntegrityError:  # the new card's foreign key: no such learner (one round trip fewer than a check)
            raise StoreError("learner", f"no learner {learner_id}") from None
        at = max(now, row.last_review) if row.last_review else now  # clocks of replicas differ: keep the log in order
        store_state(row, advance(state_of(row), Rating(rating), at))
        row.topic, row.last_correct = topic, correct
        s.add(
            Review(
                card_id=row.id, learner_id=learner_id, rating=int(rating), correct=correct, reviewed_at=at, detail=clean
            )
        )
        s.flush()
        return _view(row, now)

    return run_write(write, url)


def _end_of_day(now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """(start of today, start of tomorrow) in `tz`, as UTC datetimes."""
    local = now.astimezone(tz).date()
    start = datetime.combine(local, time(), tzinfo=tz)
    return start.astimezone(timezone.utc), (start + timedelta(days=1)).astimezone(timezone.utc)


def due(
    learner_id: int,
    now: datetime | None = None,
    *,
    today: bool = False,
    tz: tzinfo = timezone.utc,
    limit: int = 200,
    url: str | Engine | None = None,
) -> list[CardView]:
    """Cards due now (today=True: due before the end of today in `tz`), soonest first."""
    _check_learner_id(learner_id)
    now = _utc(now)
    until = _end_of_day(now, tz)[1] if today else now
    with session(url) as s:
        rows = s.scalars(
            select(Card)
            .where(Card.learner_id == learner_id, Card.due <= until)
            .order_by(Card.due, Card.id)
            .limit(limit)
        )
        return [_view(r, now) for r in rows]


def notebook(
    learner_id: int, now: datetime | None = None, *, limit: int = 100, url: str | Engine | None = None
) -> list[NotebookEntry]:
    """The wrong-answer notebook: cards whose newest answer was wrong, newest first, with that answer's detail."""
    _check_learner_id(learner_id)
    now = _utc(now)
    with session(url) as s:
        cards = s.scalars(
            select(Card)
            .where(Card.learner_id == learner_id, Card.last_correct.is_(False))
            .order_by(Card.last_review.desc(), Card.id.desc())
            .limit(limit)
        ).all()
        if not cards:
            return []
        order = (Review.reviewed_at.desc(), Review.id.desc())
        newest = func.row_number().over(partition_by=Review.card_id, order_by=order)
        ranked = (
            select(Review.card_id, Review.reviewed_at, Review.rating, Review.detail, newest.label("n"))
            .where(Review.learner_id == learner_id, Review.card_id.in_([c.id for c in cards]))
            .subquery()
        )
        last = {r.card_id: r for r in s.execute(select(ranked).where(ranked.c.n == 1))}
        return [
            NotebookEntry(_view(c, now), last[c.id].reviewed_at, last[c.id].rating, last[c.id].detail)
            for c in cards
            if c.id in last
        ]


def topic_stats(learner_id: int, now: datetime | None = None, url: str | Engine | None = None) -> dict[str, TopicStats]:
    """Per topic: mean FSRS retrievability now, number of cards, due now, wrong (last answer)."""
    _check_learner_id(learner_id)
    now = _utc(now)
    acc: dict[str, list] = {}
    with session(url) as s:
        columns = (Card.topic, Card.state, Card.step, Card.stability, Card.difficulty, Card.due, Card.last_review)
        for row in s.execute(
            select(*columns, Card.last_correct).where(Card.learner_id == learner_id)
        ):  # no ORM objects
            a = acc.setdefault(row.topic, [0.0, 0, 0, 0])
            a[0] += retrievability(row, now)
            a[1] += 1
            a[2] += row.due <= now
            a[3] += row.last_correct is False
    return {t: TopicStats(r / n, n, d, w) for t, (r, n, d, w) in sorted(acc.items())}


def mastery(learner_id: int, now: datetime | None = None, url: str | Engine | None = None) -> dict[str, float]:
    """{topic: mean FSRS retrievability of its cards at `now`}, topics in alphabetical order."""
    return {t: st.retrievability for t, st in topic_stats(learner_id, now, url).items()}


def streak(
    learner_id: int, today: date | None = None, tz: tzinfo = timezone.utc, url: str | Engine | None = None
) -> int:
    """Days in a row, ending today, with at least one answer (days in `tz`). A streak that reached yesterday is
    still alive today before the first answer of the day."""
    _check_learner_id(learner_id)
    today = today or datetime.now(tz).date()
    days: set[date] = set()
    oldest = None
    with session(url) as s:
        stmt = select(Review.reviewed_at).where(Review.learner_id == learner_id).order_by(Review.reviewed_at.desc())
        for at in s.scalars(stmt.execution_options(yield_per=500)):
            day = at.astimezone(tz).date()
            if day > today:
                continue
            if oldest is not None and day < oldest - timedelta(days=1):
                break  # a gap: older answers cannot extend the run
            days.add(day)
            oldest = day
    day = today if today in days else today - timedelta(days=1)
    n = 0
    while day in days:
        n, day = n + 1, day - timedelta(days=1)
    return n


def counts(
    learner_id: int, now: datetime | None = None, tz: tzinfo = timezone.utc, url: str | Engine | None = None
) -> Counts:
    _check_learner_id(learner_id)
    now = _utc(now)
    start, tomorrow = _end_of_day(now, tz)
    mine = Card.learner_id == learner_id
    with session(url) as s:
        one = lambda *where: s.scalar(select(func.count()).select_from(Card).where(mine, *where))
        reviewed = s.scalar(
            select(func.count())
            .select_from(Review)
            .where(Review.learner_id == learner_id, Review.reviewed_at >= start, Review.reviewed_at <= now)
        )
        return Counts(
            one(Card.due <= now), one(Card.due < tomorrow), one(), reviewed, one(Card.last_correct.is_(False))
        )
