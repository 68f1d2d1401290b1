"""views/word2vec/page.py under AppTest: a short live run gives sensible neighbours; bad settings and unknown words give
messages (no traceback) and keep the trained model. Only the open tab is drawn (?w2v_tab=<code>): tests open the
tab they use, and every tab works opened first from a link with nothing trained."""

import json

import pytest
from conftest import open_page, show_answers, stop_jobs, wait_for_job

from ui.i18n import strings

PAGE = "views/word2vec/page.py"
CODES = ("train", "hs", "ns", "tfidf", "cost", "fasttext", "distributional")


def _open(lang="en", **params):
    return open_page(PAGE, lang, timeout=120, **params)


def _switch(at, code, lang="en"):
    at.session_state["w2v_tab"] = strings(lang)["word2vec.tabs"][CODES.index(code)]
    return at.run()


def _traces(at, title):
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return [tr.get("name") for s in specs if s["layout"]["title"]["text"] == title for tr in s["data"]]


def _train(at):
    at.button(key="w2v:train").click().run()
    job = wait_for_job(at.session_state["job:w2v"])
    at.run()
    return job


def test_training_gives_neighbours_and_bad_input_keeps_model():
    at = _open()
    job = _train(at)
    try:
        assert job.status == "done" and not at.exception
        at.text_input(key="w2v_word").set_value("cat").run()
        table = at.dataframe[0].value
        assert {"dog", "kitten", "puppy", "horse", "rabbit"} & set(table.iloc[:3, 0])
        at.text_input(key="w2v_sim_a").set_value("cat")
        at.text_input(key="w2v_sim_b").set_value("dog")
        at.run()
        assert at.metric and -1 <= float(at.metric[0].value) <= 1
        for key, value in (("w2v_an_a", "prince"), ("w2v_an_b", "king"), ("w2v_an_c", "zzzunknown")):
            at.text_input(key=key).set_value(value)
        at.run()
        assert any("zzzunknown" in w.value for w in at.warning) and not at.exception
        _switch(at, "tfidf")  # another tab gets the model from the session, without drawing the training tab
        assert not at.exception and at.text_area(key="w2v_text_a").value
        assert "word2vec" in _traces(at, strings("en")["word2vec.tfidf_chart"])
        assert "w2v_dim" not in {w.key for w in at.number_input}
        _switch(at, "train")
        assert at.session_state["job:w2v"] is job and at.dataframe  # back: the results are still there
        for key, value, code in (
            ("w2v_dim", 0, "dimensions"),
            ("w2v_window", 0, "window"),
            ("w2v_lr", 1e9, "learning"),
        ):
            at.number_input(key=key).set_value(value).run()
            assert any(code in e.value.lower() for e in at.error), code
            assert at.button(key="w2v:train").disabled
            assert at.session_state["job:w2v"] is job and not at.exception
    finally:
        at.session_state["job:w2v"].stop.set()
        job.wait(30)


def test_tabs_answer_in_chinese_and_bad_counts_warn():
    at = _open("zh", w2v_tab="hs")
    assert not at.exception
    at.text_input(key="w2v_counts").set_value("猫:abc 狗").run()
    assert at.warning and not at.exception
    at.text_input(key="w2v_counts").set_value("猫:5 狗:3 马:1").run()
    assert not at.exception
    _switch(at, "cost", "zh")
    show_answers(at)  # the timing answers the cost prompt: drawn once it is answered, here by "Just show me"
    at.button(key="w2v_measure").click().run()
    assert not at.exception


def test_fasttext_tabs_train_and_show_oov_and_label_tree():
    at = _open(w2v_tab="fasttext")
    jobs = []
    try:
        for key in ("w2v_ft", "w2v_ftc"):
            at.button(key=f"{key}:train").click().run()
            jobs.append(wait_for_job(at.session_state[f"job:{key}"]))
            at.run()
        assert all(j.status == "done" for j in jobs) and not at.exception
        assert any("kittens" in c.value for c in at.caption)  # the OOV word got a vector from its n-grams
        assert float(at.metric[-1].value) > 0.8  # held-out topic accuracy of supervised fastText
    finally:
        stop_jobs(at)


def test_only_the_open_tab_is_drawn():
    """?w2v_tab=ns opens the negative-sampling tab: its widgets are there, the other tabs' are not; the corpus
    choice (it feeds four tabs) stays above the tabs; the training seed reaches the sampler from the URL."""
    at = _open(w2v_tab="ns", w2v_seed="3")
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["w2v_tab"] == strings("en")["word2vec.tabs"][2]
    sliders = {w.key for w in at.slider}
    assert {"w2v_power", "w2v_k", "w2v_ktok"} <= sliders and not {"w2v_minn", "w2v_overlap"} & sliders
    assert not at.number_input and at.selectbox(key="w2v_corpus").value == "toy_en"
    assert not [b for b in at.button if b.key == "w2v:train"]
    drawn = strings("en")["word2vec.ns_drawn"].split("{")[0]
    draws = [[m.value for m in a.markdown if m.value.startswith(drawn)] for a in (at, _open(w2v_tab="ns"))]
    assert draws[0] and draws[1] and draws[0] != draws[1]  # seed 3 from the URL vs the default seed 0


@pytest.mark.parametrize("code,lang", [("train", "zh"), ("ns", "en"), ("tfidf", "zh"), ("fasttext", "en")])
def test_tabs_fed_by_shared_inputs_work_opened_first_from_a_link(code, lang):
    """A teacher's link to a tab that reads the corpus, the seed or the trained model works with nothing trained,
    and absurd URL values of the widgets it reads break nothing (tests/views/test_pages.py visits every tab)."""
    at = _open(lang, w2v_tab=code, w2v_seed="x", w2v_ktok="-3")
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["w2v_tab"] == strings(lang)["word2vec.tabs"][CODES.index(code)]
    assert "job:w2v" not in at.session_state
