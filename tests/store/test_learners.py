"""Learner codes: entropy by construction, normalisation of what people type, hash-only storage, lookup.

Oracles: the BIP-39 list's size (2^11, every word unique in its first four letters) and log2 for the entropy; the
coupon-collector expectation for how many distinct words 16,000 draws must show (a generator that used part of
the list would show fewer); hashlib.sha256 for what is stored; every column of the learners table, read raw.
"""

from __future__ import annotations

import hashlib
import math
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from store import db, learners


def test_code_entropy_is_at_least_80_bits():
    words = learners.WORDS
    assert len(words) == len(set(words)) == 2048 == 2**11
    assert len({w[:4] for w in words}) == 2048  # four letters name a word: prefixes are enough to type
    assert all(w.isascii() and w.isalpha() and w.islower() for w in words)
    assert learners.BITS == learners.WORDS_IN_CODE * math.log2(len(words)) == 88 >= 80


def test_codes_use_the_whole_list_uniformly():
    codes = [learners.new_code() for _ in range(2000)]
    assert len(set(codes)) == 2000
    drawn = [w for c in codes for w in c.split("-")]
    assert len(drawn) == 16000 and set(drawn) <= set(learners.WORDS)
    expected = 2048 * (1 - (1 - 1 / 2048) ** 16000)  # ~2047.2 distinct words for a uniform draw
    assert len(set(drawn)) >= expected - 8  # half the list used would give at most 1024


def test_normalisation():
    code = "abandon-ability-able-about-zoo-zone-wrist-youth"
    n = learners.normalise_code
    assert n(code) == code
    for typed in (
        "Abandon Ability Able About Zoo Zone Wrist Youth",
        "  abandon   ability\table\nabout zoo zone wrist youth ",
        "ABAN-ABIL-ABLE-ABOU-ZOO-ZONE-WRIS-YOUT",  # four-letter prefixes
        "abandon.ability,able_about/zoo–zone—wrist youth",
        "ａｂａｎｄｏｎ　ability able about zoo zone wrist youth",  # full-width letters and space
        "abandon，ability，able，about，zoo，zone，wrist，youth",
        learners.format_code(code),
    ):
        assert n(typed) == code, typed
    for wrong in (
        "abandon ability able about zoo zone wrist",  # 7 words
        code + "-zoo",  # 9 words
        "abandon ability able about zoo zone wrist yout0",  # a digit splits a word
        "aban abil able abou zoo zon wris yout",  # "zon" is three letters of a longer word
        "abandonx ability able about zoo zone wrist youth",  # not a list word
        "",
        "x" * 1000,
        None,
        12345,
    ):
        assert n(wrong) is None, wrong


def test_create_and_find(store_url):
    a, b = learners.create_learner(store_url), learners.create_learner(store_url)
    assert a.id != b.id and a.code != b.code
    assert learners.find_learner(a.code, store_url) == a.id
    assert learners.find_learner(b.code.upper().replace("-", " "), store_url) == b.id
    words = a.code.split("-")
    other = "-".join([*words[:-1], next(w for w in learners.WORDS if w != words[-1])])
    assert learners.find_learner(other, store_url) is None  # one word changed
    assert learners.find_learner("not a code", store_url) is None
    assert learners.learner_exists(a.id, store_url) and not learners.learner_exists(999, store_url)


def test_only_a_hash_of_the_code_is_stored(store_url):
    a = learners.create_learner(store_url)
    learners.find_learner(a.code, store_url)
    with db.get_engine(store_url).connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM learners"))]
    assert len(rows) == 1
    stored = " ".join(str(v) for v in rows[0].values())
    assert all(w not in stored for w in a.code.split("-") if len(w) > 4)
    expected = hashlib.sha256(b"nlp-atlas/learner-code/v1\0" + a.code.encode()).hexdigest()
    assert rows[0]["code_hash"] == learners.code_hash(a.code) == expected
    assert rows[0]["last_seen_at"] is not None  # set by the lookup


def test_continue_link():
    code = learners.new_code()
    link = learners.continue_link("https://atlas.example/interview?lang=zh&learner=old-code", code)
    query = parse_qs(urlsplit(link).query)
    assert query == {"lang": ["zh"], "learner": [code]}
    assert learners.normalise_code(query[learners.LINK_PARAM][0]) == code
    with pytest.raises(ValueError):
        learners.continue_link("https://atlas.example/", "nope")


def test_delete_learner(store_url):
    from store import cards

    a, b = learners.create_learner(store_url), learners.create_learner(store_url)
    for who in (a, b):
        cards.review(who.id, "quiz", "w2v-01#0", "w2v", False, {"chosen": 1}, url=store_url)
    learners.delete_learner(a.id, store_url)
    assert learners.find_learner(a.code, store_url) is None
    assert cards.counts(a.id, url=store_url).total == 0
    assert cards.counts(b.id, url=store_url).total == 1 and len(cards.notebook(b.id, url=store_url)) == 1


def test_an_id_handed_on_is_not_owned_by_the_old_code(store_url):
    # SQLite reuses the largest freed rowid: the id a deleted learner held goes to the next one. A session that still
    # holds (id, code) must find out that the id is no longer theirs.
    a = learners.create_learner(store_url)
    assert learners.owns(a.id, a.code, store_url)
    assert learners.owns(a.id, a.code.upper().replace("-", " "), store_url)  # as typed
    learners.delete_learner(a.id, store_url)
    assert not learners.owns(a.id, a.code, store_url)
    b = learners.create_learner(store_url)
    if b.id == a.id:  # SQLite: the same id, somebody else
        assert learners.owns(b.id, b.code, store_url) and not learners.owns(b.id, a.code, store_url)
    assert not learners.owns(b.id, "not a code", store_url)
