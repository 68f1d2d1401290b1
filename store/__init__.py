"""The store: a learner's progress in a real database (SQLAlchemy 2 + Alembic), never Streamlit.

The schema lives here and only here (store/models.py at head, store/migrations/versions/ for how it got there);
docs/database.md explains the defaults, PostgreSQL and migrations. Every function takes `url` — a URL string, an
Engine or None (= db.database_url()) — and raises store.errors.StoreError(code, message) for input it cannot use.
Datetimes are timezone-aware (UTC in, UTC out).

store.db
    database_url() -> str                      NLP_ATLAS_DATABASE_URL, else sqlite:///<repo>/var/atlas.db
    get_engine(url=None) -> Engine             cached per URL; SQLite: WAL, busy_timeout, foreign_keys
    make_engine(url=None) -> Engine            a new, uncached engine
    session(url=None, write=False)             context manager: one transaction (write=True takes SQLite's lock first)
    run_write(fn, url=None, attempts=5)        fn(session) in a write transaction, retried on lock/serialization
    migrate(url=None, revision="head")         alembic upgrade; idempotent; safe when processes start at once
    downgrade(url, revision), current_revision(url=None), head_revision(), dispose(url=None)

store.learners
    create_learner(url=None) -> Learner(id: int, code: str)     code: 8 BIP-39 words joined by "-", 88 bits
    find_learner(code: str, url=None) -> int | None             normalises case, spaces, dashes, 4-letter prefixes
    normalise_code(text) -> str | None, format_code(code) -> str, code_hash(code) -> str
    continue_link(base_url, code) -> str                        base_url?learner=<code> (LINK_PARAM)
    learner_exists(learner_id, url=None) -> bool, delete_learner(learner_id, url=None)
    WORDS (2,048), WORDS_IN_CODE (8), BITS (88)

store.cards  (kinds: "quiz" ref "<qid>#<item>", "mock" ref "<qid>" or "<qid>:<point_id>", "guess" ref = a key)
    review(learner_id, kind, ref, topic, correct: bool, detail: dict | None = None, now=None, *, rating=None,
           url=None) -> CardView                                 creates the card if new; Good/Again or `rating`
    due(learner_id, now=None, *, today=False, tz=UTC, limit=200, url=None) -> list[CardView]
    notebook(learner_id, now=None, *, limit=100, url=None) -> list[NotebookEntry(card, reviewed_at, rating, detail)]
    mastery(learner_id, now=None, url=None) -> {topic: mean FSRS retrievability}
    topic_stats(learner_id, now=None, url=None) -> {topic: TopicStats(retrievability, cards, due, wrong)}
    streak(learner_id, today=None, tz=UTC, url=None) -> int
    counts(learner_id, now=None, tz=UTC, url=None) -> Counts(due_now, due_today, total, reviewed_today, wrong)
    CardView(id, kind, ref, topic, state, step, stability, difficulty, due, last_review, last_correct, reps, lapses,
             retrievability); SCHEDULER (fsrs.Scheduler, no fuzzing), advance(), replay(), clean_detail()

store.transfer
    export_progress(learner_id, url=None, now=None) -> dict     {"schema": "nlp-atlas-progress", "version": 1, ...}
    export_json(learner_id, url=None, now=None) -> str
    import_progress(learner_id, raw: bytes | str, url=None, now=None)
        -> ImportSummary(cards_added, cards_updated, reviews_added, reviews_skipped); all or nothing
    error codes: too_big, encoding, not_json, number, foreign, version, invalid, too_many, markup, learner

store.errors.StoreError(code, message): also "url", "kind", "ref", "topic", "correct", "rating", "detail", "time",
"learner", "migration" from the functions above.
"""
