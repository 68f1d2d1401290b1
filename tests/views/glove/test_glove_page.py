"""The GloVe page under AppTest: bad settings give messages (never tracebacks), short live runs of GloVe, word2vec
and the autoencoder finish, their results are drawn, and an earlier model survives a bad request."""

import pytest
from conftest import open_page, stop_jobs, wait_for_job
from streamlit.testing.v1 import AppTest

from ui.i18n import t

PAGE = "views/glove/page.py"


def _open(lang="en", **params) -> AppTest:
    return open_page(PAGE, lang, **params)


def _finish(at: AppTest, key: str):
    job = wait_for_job(at.session_state[f"job:{key}"], 120)
    at.run()
    return job


def _tab(at: AppTest, code: str, lang: str = "en") -> AppTest:
    """Open another tab (only the open tab renders) the way a click does."""
    at.session_state["glove_tab"] = t(f"glove.tab_{code}", lang)
    return at.run()


def _texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders_counts_and_reference_table(lang):
    at = _open(lang)
    assert not at.exception
    assert not _texts(at, "error")
    assert len(at.tabs) >= 5
    assert at.number_input(key="glove_xmax") and not any(
        m == t("glove.reference_table", lang) for m in _texts(at, "markdown")
    )  # one tab renders
    at = _open(lang, glove_tab="ratios")  # a teacher's link to the ratio tab
    assert not at.exception and not _texts(at, "error")
    assert any(t("glove.reference_table", lang) == m for m in _texts(at, "markdown"))


def test_bad_weighting_shows_message():
    at = _open()
    at.number_input(key="glove_xmax").set_value(0.0).run()
    assert not at.exception
    assert t("glove.bad_weighting", "en") in _texts(at, "error")
    at.number_input(key="glove_xmax").set_value(100.0)
    at.number_input(key="glove_alpha").set_value(-1.0).run()
    assert t("glove.bad_weighting", "en") in _texts(at, "error")


def test_unknown_words_warn_instead_of_failing():
    at = _open()
    at.text_input(key="glove_words").set_value("zzzqqq 😀 king").run()
    assert any("zzzqqq" in w for w in _texts(at, "warning"))
    _tab(at, "ratios").text_input(key="glove_i").set_value("nosuchword").run()
    assert not at.exception
    assert any("nosuchword" in w for w in _texts(at, "warning"))


def test_training_tab_uses_the_weighting_set_in_the_counts_tab():
    """x_max and α live in tab 1; the training tab (rendered alone) reads them: from this session, or the link."""
    at = _open()
    at.number_input(key="glove_xmax").set_value(40.0).run()
    _tab(at, "train")
    assert any("x_max = 40" in c for c in _texts(at, "caption")), _texts(at, "caption")
    at.run()  # the counts tab's widgets are gone from this run too: their values are still used
    assert any("x_max = 40" in c for c in _texts(at, "caption")), _texts(at, "caption")
    at = _open(glove_tab="train", glove_xmax="25", glove_alpha="1e99")  # out of range: the default
    assert not at.exception
    assert any("x_max = 25, α = 0.75" in c for c in _texts(at, "caption")), _texts(at, "caption")


def test_short_glove_run_then_bad_settings_keep_the_model():
    at = _open(glove_tab="train")
    try:
        at.number_input(key="glove_epochs").set_value(2).run()
        at.button(key="glove:train").click().run()
        job = _finish(at, "glove")
        assert job.status == "done" and job.usable
        assert not at.exception
        assert at.get("plotly_chart")  # the word map is drawn
        # the ratio table (another tab) now has the model's column
        _tab(at, "ratios")
        assert any(t("glove.model_ratio_note", "en") == c for c in _texts(at, "caption"))
        _tab(at, "train")
        # bad settings: a message, and the trained model is kept
        at.number_input(key="glove_lr").set_value(0.0).run()
        at.button(key="glove:train").click().run()
        assert not at.exception
        assert any(t("glove.bad_lr", "en") in e for e in _texts(at, "error")), _texts(at, "error")
        assert at.session_state["job:glove"] is job
    finally:
        stop_jobs(at)


def test_compare_word2vec_and_lsa_and_autoencoder():
    at = _open(glove_tab="compare")
    try:
        at.number_input(key="glove_w2v_epochs").set_value(1).run()
        at.button(key="glove_w2v:train").click().run()
        assert _finish(at, "glove_w2v").usable
        at.toggle(key="glove_lsa").set_value(True).run()
        assert not at.exception
        frames = [df.value for df in at.dataframe]
        methods = [set(f.iloc[:, 0]) for f in frames if "method" in f.columns]
        assert methods and {"word2vec", "LSA (PPMI + SVD)"} <= methods[0]
        _tab(at, "svd").number_input(key="glove_ae_steps").set_value(20).run()
        at.button(key="glove_ae:train").click().run()
        job = _finish(at, "glove_ae")
        assert job.usable and len(job.history) == 20
        assert not at.exception
    finally:
        stop_jobs(at)


@pytest.mark.parametrize(
    "lang,text,ok",
    [
        ("en", "the king rules the kingdom\nthe car drives along the road", True),
        ("zh", "国王 统治 王国", True),
        ("en", "😀 zzz qqq", False),
    ],
)
def test_added_sentences_update_counts_like_a_recount(lang, text, ok):
    """w2v-07: the incremental X equals the recount (engine test has the oracle); the page reports it in both
    languages, and text with no known word is a warning."""
    at = _open(lang, glove_tab="compare")
    at.text_area(key="glove_add").set_value(text).run()
    assert not at.exception
    if ok:
        assert any(t("glove.yes", lang) in s for s in _texts(at, "success")), _texts(at, "success")
    else:
        assert t("glove.add_none", lang) in _texts(at, "warning")
