"""The coach on the interview page under AppTest: a quiz answer becomes an FSRS card and shows on the Review tab, a
wrong one lands in the notebook, a due card is answered on the Review tab, codes by link and by hand are validated,
one learner never sees another's cards, and a hostile progress file changes nothing.

Oracles: the store itself (store.cards.counts / notebook / due read the database the page wrote; each test has its
own SQLite file through NLP_ATLAS_DATABASE_URL), the answer files (assets/qa: which choice is right), and
store.learners.format_code for the code shown."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from conftest import open_page, raw_i18n_keys

from engine.interview import curriculum as cur
from store import cards, learners, transfer
from ui.i18n import qa, strings

CODES = ("bank", "quiz", "mock", "review", "tour", "multitask", "noise")


@pytest.fixture(autouse=True)
def store_url(sqlite_store):
    return sqlite_store  # tests/conftest.py: a migrated SQLite file of this test


def _open(lang="en", tab="review", **params):
    at = open_page("views/interview/page.py", lang, timeout=120, interview_tab=tab, **params)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _switch(at, code, lang="en"):
    at.session_state["interview_tab"] = strings(lang)["interview.tabs"][CODES.index(code)]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _me(at) -> learners.Learner:
    me = at.session_state["coach_learner"]
    return learners.Learner(me["id"], me["code"])


def _texts(at) -> str:
    kinds = ("markdown", "caption", "text", "code", "success", "error", "info", "warning", "toast", "expander")
    return "\n".join(
        str(getattr(el, "value", "")) + " " + str(getattr(el, "label", "")) for k in kinds for el in at.get(k)
    )


def _answer_ptm04(at, item: int, chosen: int):
    """Quiz tab, chapter ptm (the first): pick the file's choice `chosen` of ptm-04's item `item`."""
    at.radio(key=f"interview_quiz_ptm-04_{item}").set_value(chosen).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_quiz_answer_is_a_card_and_shows_on_the_review_tab(store_url):
    at = _open(tab="quiz")
    assert "coach_learner" not in at.session_state  # nobody is created by looking
    right = qa("en")["ptm-04"]["quiz"][0]["answer"]
    _answer_ptm04(at, 0, right)
    me = _me(at)
    assert learners.find_learner(me.code, store_url) == me.id
    assert cards.counts(me.id, url=store_url).total == 1
    (card,) = [c for c in cards.due(me.id, datetime.now(timezone.utc) + timedelta(days=400), url=store_url)]
    assert (card.kind, card.ref, card.topic, card.last_correct) == ("quiz", "ptm-04#0", "ptm", True)
    shown = learners.format_code(me.code)
    assert any(shown in tst.value for tst in at.toast), "the new code is shown once, with 'save it'"
    assert at.radio(key="interview_quiz_ptm-04_0").disabled  # answered: it comes back when due, on the Review tab
    _switch(at, "review")
    assert any(c.value == shown for c in at.code), [c.value for c in at.code]
    assert any(f"learner={me.code}" in c.value and "interview_tab=review" in c.value for c in at.code)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[strings("en")["coach.m_cards"]] == "1" and metrics[strings("en")["coach.m_wrong"]] == "0"
    assert "coach_mastery" in {c.key for c in at.get("plotly_chart")}
    assert not raw_i18n_keys(at)


def test_a_wrong_answer_lands_in_the_notebook(store_url):
    at = _open("zh", tab="quiz")
    item = qa("zh")["ptm-04"]["quiz"][1]
    wrong = next(i for i in range(len(item["choices"])) if i != item["answer"])
    _answer_ptm04(at, 1, wrong)
    me = _me(at)
    (entry,) = cards.notebook(me.id, url=store_url)
    assert entry.card.ref == "ptm-04#1" and entry.detail["chosen"] == wrong and entry.detail["answer"] == item["answer"]
    _switch(at, "review", "zh")
    nb = [e for e in at.expander if "ptm-04#1" in e.label]
    assert nb, [e.label for e in at.expander]
    body = _texts(at)
    assert item["choices"][wrong] in body and item["choices"][item["answer"]] in body
    assert any(p.proto.page == cur.by_id()["ptm-04"].page for p in at.get("page_link"))  # its demo
    assert not raw_i18n_keys(at)


def test_a_due_card_is_answered_on_the_review_tab(store_url):
    me = learners.create_learner(store_url)
    two_days_ago = datetime.now(timezone.utc) - timedelta(days=2)
    cards.review(me.id, "quiz", "ptm-04#0", "ptm", False, {"chosen": 0}, two_days_ago, url=store_url)
    at = _open(learner=me.code)
    (card,) = cards.due(me.id, url=store_url)
    radio = at.radio(key=f"coach_card_{card.id}")
    right = qa("en")["ptm-04"]["quiz"][0]["answer"]
    assert sorted(radio.options) == sorted(qa("en")["ptm-04"]["quiz"][0]["choices"])
    radio.set_value(right).run()
    assert not at.exception and at.success
    assert cards.counts(me.id, url=store_url).due_now == 0 and not cards.notebook(me.id, url=store_url)


def test_a_code_by_link_is_validated_then_removed_from_the_url(store_url):
    me = learners.create_learner(store_url)
    at = _open(learner=me.code.upper().replace("-", " "))  # typed forms work in a link too
    assert _me(at) == me and "learner" not in at.query_params
    for bad in ("able-able", "<script>alert(1)</script>", "x" * 5000, learners.new_code()):
        at = _open(learner=bad)
        assert "coach_learner" not in at.session_state and "learner" not in at.query_params
        assert strings("en")["coach.err_link_code"] in _texts(at)


def test_sign_in_by_hand_shows_only_that_learners_cards(store_url):
    a, b = learners.create_learner(store_url), learners.create_learner(store_url)
    cards.review(a.id, "quiz", "w2v-01#0", "w2v", False, {"chosen": 0}, url=store_url)
    cards.review(b.id, "quiz", "glove-01#0", "glove", False, {"chosen": 0}, url=store_url)
    at = _open(learner=a.code)
    assert any("w2v-01#0" in e.label for e in at.expander) and not any("glove-01" in e.label for e in at.expander)
    for typed, problem in (("not a code", "coach.err_code_format"), (learners.new_code(), "coach.err_code_unknown")):
        at.text_input(key="coach_id_code").set_value(typed).run()
        at.button(key="coach_id_sign_in").click().run()
        assert any(strings("en")[problem] in e.value for e in at.error) and _me(at) == a
    at.text_input(key="coach_id_code").set_value(" ".join(w[:4] for w in b.code.split("-"))).run()
    at.button(key="coach_id_sign_in").click().run()
    assert _me(at) == b and not at.exception
    labels = [e.label for e in at.expander]
    assert any("glove-01#0" in x for x in labels) and not any("w2v-01" in x for x in labels)
    at.button(key="coach_id_sign_out").click().run()
    assert "coach_learner" not in at.session_state and not any("glove-01" in e.label for e in at.expander)


HOSTILE_FILES = {
    "not_json": b"{not json",
    "foreign": json.dumps({"hello": "world"}).encode(),
    "encoding": "进度".encode("gbk"),
    "number": b'{"schema": "nlp-atlas-progress", "version": 1, "cards": [], "x": NaN}',
    "invalid": json.dumps({"schema": "nlp-atlas-progress", "version": 1, "cards": [{"kind": "quiz"}]}).encode(),
    "version": json.dumps({"schema": "nlp-atlas-progress", "version": 99, "cards": []}).encode(),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_hostile_progress_file_changes_nothing(store_url, lang):
    me = learners.create_learner(store_url)
    cards.review(me.id, "quiz", "w2v-01#0", "w2v", True, {"chosen": 1}, url=store_url)
    before = transfer.export_progress(me.id, store_url)["cards"]
    at = _open(lang, learner=me.code)
    for code, raw in HOSTILE_FILES.items():
        up = at.file_uploader[0]
        up.set_value((f"{code}.json", raw, "application/json")).run()
        at.button(key="coach_id_import").click().run()
        assert not at.exception, (code, [e.value for e in at.exception])
        said = [e.value for e in at.error]
        assert said and strings(lang)[f"coach.import_err.{code}"] in said[-1], (code, said)
    marked = json.loads(transfer.export_json(me.id, store_url))  # our own file, with HTML put into a detail
    marked["cards"][0]["reviews"][-1]["detail"] = {"chosen": 1, "note": "<img src=x onerror=alert(1)>"}
    big = b" " * (transfer.MAX_BYTES + 1) + b"{}"  # refused by its size before it is read
    for code, raw in (("markup", json.dumps(marked).encode()), ("too_big", big)):
        at.file_uploader[0].set_value((f"{code}.json", raw, "application/json")).run()
        at.button(key="coach_id_import").click().run()
        said = [e.value for e in at.error]
        assert said and strings(lang)[f"coach.import_err.{code}"] in said[-1], (code, said)
    assert transfer.export_progress(me.id, store_url)["cards"] == before
    good = transfer.export_json(me.id, store_url).encode()  # its own file again: nothing new, and it says so
    at.file_uploader[0].set_value(("mine.json", good, "application/json")).run()
    at.button(key="coach_id_import").click().run()
    assert at.success and transfer.export_progress(me.id, store_url)["cards"] == before


def test_a_database_that_fails_is_a_message_and_the_session_keeps_its_answers(store_url, monkeypatch, tmp_path):
    at = _open(tab="quiz")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the database's folder should be")
    monkeypatch.setenv("NLP_ATLAS_DATABASE_URL", f"sqlite:///{blocked / 'atlas.db'}")
    right = qa("en")["ptm-04"]["quiz"][0]["answer"]
    _answer_ptm04(at, 0, right)
    assert at.session_state["interview_progress"]["ptm-04#0"]["correct"] is True
    assert "coach_learner" not in at.session_state and len(at.session_state["coach_outbox"]) == 1
    assert any(strings("en")["coach.err_db"].split("(")[0] in e.value for e in at.error)
    monkeypatch.setenv("NLP_ATLAS_DATABASE_URL", store_url)  # back: the next answer saves both
    _answer_ptm04(at, 1, 0)
    me = _me(at)
    assert cards.counts(me.id, url=store_url).total == 2 and not at.session_state["coach_outbox"]


def _tab_of_each_module() -> dict[str, tuple[str, str, str]]:
    """views/<page>/<module>.py -> (page url path, tab key, tab code), read from each page's show_tabs table."""
    import ast

    from conftest import ROOT, nav_pages

    urls = {file: url for file, url in nav_pages()}
    out = {}
    for file, url in urls.items():
        tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
        alias = {
            a.asname or a.name: f"{node.module.replace('.', '/')}/{a.name}.py"
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("views.")
            for a in node.names
        }
        dicts = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if hasattr(t, "id")}
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "show_tabs":
                table = call.args[1]
                table = dicts.get(table.id, table) if isinstance(table, ast.Name) else table
                for k, v in zip(table.keys, table.values):
                    for name in {n.id for n in ast.walk(v) if isinstance(n, ast.Name)} & set(alias):
                        out[alias[name]] = (url, call.args[0].value, k.value)
    return out


def test_every_guess_card_links_the_tab_that_asks_it():
    """Oracle: the source of views/ — every predict_then_see / estimate_then_see key (its first argument), the file it
    is in and that file's tab code in its page's show_tabs table; the Review tab's GUESS_DEMOS must say the same."""
    import ast

    from conftest import ROOT

    from views.interview.due import GUESS_DEMOS

    tabs, found = _tab_of_each_module(), {}
    for path in sorted((ROOT / "views").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            name = getattr(name, "id", getattr(name, "attr", None))
            if name in ("predict_then_see", "estimate_then_see") and isinstance(node.args[0], ast.Constant):
                url, key, code = tabs[path.relative_to(ROOT).as_posix()]
                found[node.args[0].value] = (url, {key: code})
    assert len(found) >= 10 and found == GUESS_DEMOS


def test_a_guess_on_a_demo_page_becomes_a_card_of_the_signed_in_learner(store_url):
    """app.py's sync: a predict-then-see commit on another page is written for the learner of the session."""
    me = learners.create_learner(store_url)
    at = open_page("views/transformer/page.py", "en", timeout=120, transformer_tab="norms", learner=me.code)
    (pick,) = [w for w in at.radio if w.key and w.key.startswith("predict:tf_ln_bn") and w.key.endswith(":pick")]
    pick.set_value("ln").run()
    at.button(key=pick.key.removesuffix(":pick") + ":commit").click().run()
    at.run()  # the next full run writes it (the commit may rerun only its tab's fragment)
    assert not at.exception, [e.value for e in at.exception]
    (nb,) = cards.notebook(me.id, url=store_url)
    (event,) = at.session_state["coach_events"]  # ui.predict's own record stays
    assert (nb.card.kind, nb.card.ref, nb.card.topic) == ("guess", "tf_ln_bn", event["topic"])
    assert nb.detail == event["detail"] and nb.detail["guess_code"] == "ln"
