"""The session's learner: who is answering, and where the answers go (store/, FSRS cards).

    review("quiz", "w2v-01#0", "w2v", True, {"chosen": 1})   # an answer becomes a card review (learner made lazily)
    current()                                                # Learner(id, code) or None; reads the session only
    sign_in("able acid ...")                                 # None, or the i18n key of what is wrong
    sync()                                                   # app.py, once per run: ?learner= in, guesses out

- There are no accounts. A session has no learner until its first write; then store.learners.create_learner() makes
  one and a notice shows its code ("save it"). The code is kept in st.session_state only (private to the browser
  session), never in the URL and never in a module global or cache.
- A "continue on another device" link carries ?learner=<code>: sync() reads it once, validates it like typed input
  (store.learners.normalise_code, then find_learner), removes it from the address bar and keeps the learner in the
  session. A wrong code signs nobody in and says so.
- Every write goes through an outbox in the session: an answer is queued with its learner id and time, then written;
  when the database fails the answer stays queued (the session keeps its answers), a clear notice says so, and the
  next write retries. No database error reaches the page as a traceback.
- ui.predict's guesses (st.session_state["coach_events"]) are left in place (other code reads them) and written from
  a counter of how many are saved; while nobody is signed in they wait, and the first write or sign-in saves them.
- Switching learner (sign in as someone else, sign out) drops the session's copies of the previous learner's answers
  (PRIVATE keys): one learner never sees another's.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from store import cards as store_cards
from store import db as store_db
from store import learners as store_learners
from store.errors import StoreError
from ui.i18n import t

log = logging.getLogger(__name__)

LEARNER = "coach_learner"  # session: {"id": int, "code": str}
OUTBOX = "coach_outbox"  # session: answers not written yet, each with its learner id and time
SAVED_EVENTS = "coach_events_saved"  # session: how many of ui.predict's events are in the outbox already
EVENTS = "coach_events"  # ui.predict.EVENTS (not imported: predict imports nothing of the coach, and vice versa)
NOTICES = "coach_notices"  # session: [(level, text)] to show at the next draw
SEED = "coach_quiz_seed"  # session: the quiz order's seed, fixed for the session once drawn
LINK_PARAM = store_learners.LINK_PARAM  # ?learner=<code>
# one learner's answers as the session holds them: dropped when the learner changes
PRIVATE = re.compile(
    r"^(interview_progress|interview_mock(_text.*)?|interview_quiz_[a-z0-9]+(-\d+)+_\d+|coach_card.*|predict:.*)$"
)
DB_ERRORS = (StoreError, SQLAlchemyError, OSError)
MAX_OUTBOX = 1000  # answers a session keeps while the database is unavailable
NOT_RETRIED = {"kind", "ref", "topic", "correct", "rating", "detail", "time"}  # the answer itself is wrong: drop it


# ---------------------------------------------------------------- the session's learner
def current() -> store_learners.Learner | None:
    me = st.session_state.get(LEARNER)
    return store_learners.Learner(me["id"], me["code"]) if me else None


def learner_seed(learner_id: int) -> int:
    """The quiz order's seed for a learner: a stable function of the id (the same order on every device)."""
    digest = hashlib.sha256(f"nlp-atlas/quiz-seed/{int(learner_id)}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def quiz_seed() -> int:
    """The seed the quiz tabs deal choices with: the learner's; before there is one, a random seed for this session,
    kept when the first answer creates the learner (the items on screen do not reshuffle under the reader)."""
    if SEED not in st.session_state:
        me = current()
        st.session_state[SEED] = learner_seed(me.id) if me else secrets.randbits(31)
    return st.session_state[SEED]


def notify(level: str, text: str) -> None:
    st.session_state.setdefault(NOTICES, []).append((level, text))


def show_notices() -> None:
    """What the last writes had to say: a new code (a toast that stays, and a box), a database error."""
    for level, text in st.session_state.pop(NOTICES, []):
        if level == "code":
            st.toast(text, icon=":material/key:", duration="infinite")
            st.info(text, icon=":material/key:")
        elif level == "error":
            st.error(text, icon=":material/cloud_off:")
        elif level == "warning":
            st.warning(text)
        else:
            st.toast(text, icon=":material/check_circle:")


def _why(exc: Exception) -> str:
    """A short reason for a notice (never the URL, which may hold a password)."""
    return exc.code if isinstance(exc, StoreError) else type(exc).__name__


def _db_failed(exc: Exception) -> None:
    log.warning("store: %s", exc, exc_info=not isinstance(exc, StoreError))
    notify("error", t("coach.err_db", why=_why(exc)))


def _url() -> str:
    """The database's URL, migrated to the newest schema (store.db.migrate works once per process and URL)."""
    url = store_db.database_url()
    store_db.migrate(url)
    return url


def ensure() -> store_learners.Learner | None:
    """The session's learner, created now if there is none (with a notice showing the code); None if the database
    is unavailable (a notice says so)."""
    me = current()
    if me is not None:
        return me
    try:
        me = store_learners.create_learner(_url())
    except DB_ERRORS as exc:
        _db_failed(exc)
        return None
    _become(me, keep_session=True, reseed=False)
    notify("code", t("coach.new_code", code=store_learners.format_code(me.code)))
    return me


def _become(me: store_learners.Learner | None, keep_session: bool, reseed: bool = True) -> None:
    """Make `me` the session's learner. keep_session=False drops the previous learner's answers from the session;
    reseed: deal the quiz with the learner's own seed from now on (not when the first answer just created them)."""
    if not keep_session:
        for key in [k for k in st.session_state if isinstance(k, str) and PRIVATE.match(k)]:
            del st.session_state[key]
        st.session_state[SAVED_EVENTS] = len(st.session_state.get(EVENTS, []))  # theirs, not the newcomer's
    if reseed:
        st.session_state[SEED] = learner_seed(me.id) if me else secrets.randbits(31)
    if me is None:
        st.session_state.pop(LEARNER, None)
    else:
        st.session_state[LEARNER] = {"id": me.id, "code": me.code}


def sign_in(text: str) -> str | None:
    """Sign in with a typed or linked code: None when signed in, else the i18n key of the problem."""
    code = store_learners.normalise_code(text) if isinstance(text, str) else None
    if code is None:
        return "coach.err_code_format"
    try:
        learner_id = store_learners.find_learner(code, _url())
    except DB_ERRORS as exc:
        _db_failed(exc)
        return "coach.err_db_short"
    if learner_id is None:
        return "coach.err_code_unknown"
    me, before = store_learners.Learner(learner_id, code), current()
    _become(me, keep_session=before is None or before.id == learner_id)  # a fresh session's guesses are theirs
    _flush()
    return None


def sign_out() -> None:
    _become(None, keep_session=False)


def continue_link(page_url: str | None) -> str | None:
    """The link that opens the Review tab signed in as this learner (`page_url`: st.context.url of the page)."""
    me = current()
    if me is None:
        return None
    return store_learners.continue_link(f"{page_url or '/interview'}?interview_tab=review", me.code)


# ---------------------------------------------------------------- writing answers
def review(
    kind: str, ref: str, topic: str, correct: bool, detail: dict | None = None, *, rating: int | None = None
) -> store_cards.CardView | None:
    """Record one answer as an FSRS card review for the session's learner (created if needed). Returns the card as
    scheduled now, or None when it could not be written yet (it stays queued; a notice says why)."""
    item = {"kind": kind, "ref": ref, "topic": topic, "correct": bool(correct), "detail": detail, "rating": rating}
    return _queue(item, time.time())


def _queue(item: dict, ts: float) -> store_cards.CardView | None:
    me = ensure()
    outbox = st.session_state.setdefault(OUTBOX, [])
    entry = {**item, "ts": ts, "learner": me.id if me else None}
    outbox.append(entry)
    del outbox[:-MAX_OUTBOX]  # a database down for hours: the oldest answers go first
    if me is None:
        return None
    written = _flush()
    if current() is None and ensure() is not None:  # the learner was unknown to the store: a new one takes them
        written |= _flush()
    return written.get(id(entry))


def _flush() -> dict[int, store_cards.CardView]:
    """Write the outbox in order; stops at the first database error (the rest stays queued). {id(entry): card}."""
    outbox, written = st.session_state.get(OUTBOX, []), {}
    me = current()
    while outbox:
        entry = outbox[0]
        learner_id = entry["learner"] if entry["learner"] is not None else (me.id if me else None)
        if learner_id is None:
            break
        try:
            card = store_cards.review(
                learner_id,
                entry["kind"],
                entry["ref"],
                entry["topic"],
                entry["correct"],
                entry["detail"],
                datetime.fromtimestamp(entry["ts"], timezone.utc),
                rating=entry["rating"],
                url=_url(),
            )
        except StoreError as exc:
            if exc.code == "learner":  # the database no longer knows them (reset, or another database): start anew
                _forget(learner_id)
                me = current()
                continue
            if exc.code not in NOT_RETRIED:
                _db_failed(exc)
                break
            log.error("store refused an answer %r: %s", entry, exc)  # our own bug: the page keeps working
        except DB_ERRORS as exc:
            _db_failed(exc)
            break
        else:
            written[id(entry)] = card
        outbox.pop(0)
    return written


def _forget(learner_id: int) -> None:
    """The store has no learner `learner_id` any more: their queued answers wait for the next learner."""
    for entry in st.session_state.get(OUTBOX, []):
        if entry["learner"] == learner_id:
            entry["learner"] = None
    me = current()
    if me is not None and me.id == learner_id:
        st.session_state.pop(LEARNER, None)
        notify("warning", t("coach.err_learner_gone"))


def pending() -> int:
    """Answers of this session not written yet (queued after an error, or guesses waiting for a learner)."""
    events = st.session_state.get(EVENTS, [])
    return len(st.session_state.get(OUTBOX, [])) + max(0, len(events) - st.session_state.get(SAVED_EVENTS, 0))


def save_guesses() -> None:
    """Queue ui.predict's new guess events (once a learner exists) and write them."""
    events = st.session_state.get(EVENTS, [])
    done = min(st.session_state.get(SAVED_EVENTS, 0), len(events))
    me = current()
    if me is None or done == len(events):
        if me is not None and st.session_state.get(OUTBOX):
            _flush()
        return
    outbox = st.session_state.setdefault(OUTBOX, [])
    for ev in events[done:]:
        if isinstance(ev, dict) and ev.get("kind") == "guess":
            item = {k: ev.get(k) for k in ("kind", "ref", "topic", "detail")}
            ts = ev.get("ts") if isinstance(ev.get("ts"), (int, float)) else time.time()
            outbox.append({**item, "correct": bool(ev.get("correct")), "rating": None, "ts": ts, "learner": me.id})
    st.session_state[SAVED_EVENTS] = len(events)
    _flush()


def from_link() -> None:
    """A code arriving by link (?learner=): validated like typed input, then removed from the URL."""
    if LINK_PARAM not in st.query_params:
        return
    raw = st.query_params.get(LINK_PARAM)
    del st.query_params[LINK_PARAM]
    me = current()
    if me is not None and store_learners.normalise_code(str(raw)) == me.code:
        return
    problem = sign_in(str(raw))
    if problem is None:
        notify("ok", t("coach.signed_in"))
    else:
        notify("warning", t("coach.err_link_code") + " " + t(problem))


def sync() -> None:
    """Once per full run (app.py, before the page): the session's learner is still the one its code names, a code
    from the link, then the guesses made since."""
    check_owner()
    from_link()
    save_guesses()


def check_owner() -> None:
    """A learner id kept in the session must still belong to its code (a deleted learner's or a reset database's id
    can be handed to somebody else): otherwise the session lets it go, and its queued answers wait for a new one."""
    me = current()
    if me is None:
        return
    try:
        ok = store_learners.owns(me.id, me.code, url=_url())
    except DB_ERRORS as exc:
        _db_failed(exc)
        return
    if not ok:
        _forget(me.id)


def timezone_of_browser():
    """The browser's time zone (st.context.timezone) for "today", else UTC (AppTest has no browser)."""
    name = getattr(st.context, "timezone", None)
    try:
        return ZoneInfo(name) if name else timezone.utc
    except (ValueError, KeyError, OSError):
        return timezone.utc
