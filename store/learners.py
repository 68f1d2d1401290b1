"""Identity without accounts: a learner is a random code of 8 words from the BIP-39 English list.

- 2,048 words (2^11) × 8 words = 88 bits, drawn with `secrets` (the operating system's CSPRNG; a code is a
  secret, so it deliberately does not go through a seeded generator like the demos' randomness).
- The canonical form is the 8 words joined by "-" (`able-acid-...`): it travels in a link unchanged.
  `normalise_code` accepts what a person types: any case, spaces, dashes, dots, commas, full-width characters, and
  each word by its first four letters (BIP-39 words are unique in their first four letters).
- Only SHA-256 of the canonical code (with a fixed prefix) is stored; `find_learner` looks the hash up through the
  unique index, so no comparison ever touches the code itself.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mnemonic import Mnemonic
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from .db import run_write, session
from .models import Card, Review
from .models import Learner as LearnerRow

WORDS: tuple[str, ...] = tuple(Mnemonic("english").wordlist)
WORDS_IN_CODE = 8
BITS = WORDS_IN_CODE * (len(WORDS).bit_length() - 1)  # 88: the list has exactly 2^11 words
LINK_PARAM = "learner"  # ?learner=<code> on a "continue on another device" link
_BY_PREFIX = {w[:4]: w for w in WORDS}
_HASH_PREFIX = b"nlp-atlas/learner-code/v1\0"


@dataclass(frozen=True)
class Learner:
    id: int
    code: str  # canonical: words joined by "-"; shown once, never stored


def new_code() -> str:
    return "-".join(secrets.choice(WORDS) for _ in range(WORDS_IN_CODE))


def format_code(code: str) -> str:
    """For display: the words separated by spaces, two groups of four."""
    words = code.split("-")
    return "  ".join(" ".join(words[i : i + 4]) for i in range(0, len(words), 4))


def normalise_code(text: str) -> str | None:
    """The canonical code for what a person typed or a link carried, or None if it is not 8 list words."""
    if not isinstance(text, str) or len(text) > 400:
        return None
    tokens = re.split(r"[^a-z0-9]+", unicodedata.normalize("NFKC", text).casefold())
    words = []
    for token in filter(None, tokens):
        word = _BY_PREFIX.get(token[:4])
        if word is None or not word.startswith(token) or len(token) < min(4, len(word)):
            return None
        words.append(word)
    return "-".join(words) if len(words) == WORDS_IN_CODE else None


def code_hash(code: str) -> str:
    """What the database keeps of a (canonical) code."""
    return hashlib.sha256(_HASH_PREFIX + code.encode("ascii")).hexdigest()


def create_learner(url: str | Engine | None = None) -> Learner:
    """A new learner with a fresh code (the only time the code is known in full: show it, then keep it in the
    browser session)."""
    for _ in range(3):  # a collision of 88-bit codes would need ~2^44 learners; the unique index would catch it
        code = new_code()

        def add(s, code=code):
            row = LearnerRow(code_hash=code_hash(code), created_at=datetime.now(timezone.utc))
            s.add(row)
            s.flush()
            return row.id

        try:
            return Learner(run_write(add, url), code)
        except IntegrityError:
            continue
    raise RuntimeError("three learner codes collided: the random source is broken")


def find_learner(code: str, url: str | Engine | None = None) -> int | None:
    """The learner id for a typed or linked code, or None. Records when the learner was last seen."""
    canonical = normalise_code(code)
    if canonical is None:
        return None

    def look(s):
        learner_id = s.execute(select(LearnerRow.id).where(LearnerRow.code_hash == code_hash(canonical))).scalar()
        if learner_id is not None:
            s.execute(
                update(LearnerRow).where(LearnerRow.id == learner_id).values(last_seen_at=datetime.now(timezone.utc))
            )
        return learner_id

    return run_write(look, url)


def learner_exists(learner_id: int, url: str | Engine | None = None) -> bool:
    with session(url) as s:
        return s.get(LearnerRow, learner_id) is not None


def owns(learner_id: int, code: str, url: str | Engine | None = None) -> bool:
    """True when learner `learner_id` exists AND is the one this code names (a read, no write). A session that holds
    an id checks it with its code: after a learner was deleted or the database was reset, SQLite may hand the same
    id to somebody else, whose cards the old session must never see or write."""
    canonical = normalise_code(code)
    if canonical is None:
        return False
    with session(url) as s:
        row = s.get(LearnerRow, learner_id)
        return row is not None and hmac.compare_digest(row.code_hash, code_hash(canonical))


def delete_learner(learner_id: int, url: str | Engine | None = None) -> None:
    """Forget a learner and all of their cards and reviews ("start over")."""

    def forget(s):
        s.execute(delete(Review).where(Review.learner_id == learner_id))
        s.execute(delete(Card).where(Card.learner_id == learner_id))
        s.execute(delete(LearnerRow).where(LearnerRow.id == learner_id))

    run_write(forget, url)


def continue_link(base_url: str, code: str) -> str:
    """`base_url` with ?learner=<code> added (other query parameters kept): opening it on another device signs in
    as this learner. The UI should read the parameter once and then remove it from the address bar."""
    canonical = normalise_code(code)
    if canonical is None:
        raise ValueError("not a learner code")
    parts = urlsplit(base_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != LINK_PARAM]
    return urlunsplit(parts._replace(query=urlencode([*query, (LINK_PARAM, canonical)])))
