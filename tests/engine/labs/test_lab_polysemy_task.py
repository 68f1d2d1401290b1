"""bert-13-2 polysemy lab. Oracles: (1) over 5 seeds a fine-tuned tiny BERT scores at least as well as mean-pooled
word2vec + logistic regression in >= 4 of them (the curriculum check); (2) ptm-03's equality: the static
word2vec vector of the ambiguous word is identical in two contexts while BERT's contextual vectors differ;
(3) brute force on the data: both labels carry the same bag of word kinds (one cue of each sense), so a bag of
words cannot beat chance — a count-based LogisticRegression stays near 50%."""

from __future__ import annotations

import numpy as np
import pytest

from engine.labs import polysemy_task as pt

pytestmark = pytest.mark.usefixtures("one_torch_thread")
CFG = pt.PolysemyTaskConfig(n_train=240, n_val=120, steps=100, dim=16, lr=1e-2, w2v_dim=8)


@pytest.fixture(scope="module")
def comparison():
    return pt.run_comparison(CFG)


def test_bert_beats_mean_word2vec_in_four_of_five_seeds(comparison):
    assert len(comparison.results) == 5
    wins = sum(r.bert_acc >= r.w2v_acc for r in comparison.results)
    assert wins >= 4, [(r.w2v_acc, r.bert_acc) for r in comparison.results]
    assert np.mean([r.bert_acc for r in comparison.results]) > 0.7
    assert np.mean([r.w2v_acc for r in comparison.results]) < 0.62


def test_static_vectors_equal_contextual_vectors_differ(comparison):
    r = comparison.results[0]
    w = pt.WORDS["en"]["word"]
    a, b = ["the", "river", w, "cash"], ["the", "loan", w, "shore"]
    pa, pb = pt.probe(r, a, 2), pt.probe(r, b, 2)
    assert np.array_equal(pa["static"], pb["static"])
    assert np.abs(pa["contextual"] - pb["contextual"]).max() > 1e-5  # a lookup table would give exactly 0


def test_bag_of_words_cannot_solve_the_task():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    d = pt.make_sense_data(pt.PolysemyTaskConfig(n_train=2000, n_val=1000), seed=0)
    kinds = {w: f"sense{s}" for s, cues in enumerate(pt.WORDS["en"]["cues"]) for w in cues}
    for sents, pos, labels in ((d.sentences, d.positions, d.labels), (d.val_sentences, d.val_positions, d.val_labels)):
        for s, p, y in zip(sents, pos, labels):
            after = [kinds[w] for w in s[p + 1 : p + 3] if w in kinds]
            assert s[p] == "bank" and kinds[s[p - 1]] == f"sense{y}" and after == [f"sense{1 - y}"]
            assert sorted(kinds[w] for w in s if w in kinds) == ["sense0", "sense1"]
    vec = CountVectorizer(analyzer=lambda s: s)
    clf = LogisticRegression(max_iter=1000).fit(vec.fit_transform(d.sentences), d.labels)
    assert clf.score(vec.transform(d.val_sentences), d.val_labels) < 0.58


def test_bad_settings_raise():
    for bad in (dict(lr=1e9), dict(dim=0), dict(n_seeds=0), dict(steps=0), dict(lang="xx"), dict(dim=6, heads=4)):
        with pytest.raises(pt.PolysemyInputError):
            pt.PolysemyTaskConfig(**bad).validate()


def test_parse_and_minimal_pair(comparison):
    r = comparison.results[0]
    words, pos = pt.parse_sentence("We walked to RIVER bank near cash 😀", r.data, "en", 9)
    assert words == ["we", "walked", "to", "river", "bank", "near", "cash"] and pos == 4
    other, _ = pt.parse_sentence("we walked to cash bank near river", r.data, "en", 9)
    p1, p2 = pt.predict_senses(r, words, pos), pt.predict_senses(r, other, pos)
    assert p1["w2v"] == pytest.approx(p2["w2v"], abs=1e-12)  # same bag of words -> the same mean vector
    zh = pt.make_sense_data(pt.PolysemyTaskConfig(lang="zh", n_train=16, n_val=16), 0)
    assert pt.parse_sentence("今天买了甜苹果手机", zh, "zh", 9) == (["今天", "买", "了", "甜", "苹果", "手机"], 4)
    for text, code in (("", "empty"), ("the river", "no_word"), ("😀", "no_word"), ("the " * 20 + "bank", "too_long")):
        with pytest.raises(pt.PolysemyInputError) as e:
            pt.parse_sentence(text, r.data, "en", 9)
        assert e.value.code == code


# ---------------------------------------------------------------- the lab on the BERT page (AppTest)
from test_lab_multilabel import open_lab  # noqa: E402 - one helper for the three labs B tests


def test_lab_page_trains_and_rejects_bad_sentences():
    from conftest import wait_for_job

    for lang in ("zh", "en"):  # both languages render; the training and bad input below are driven in en
        at = open_lab("polysemy_task", lang)
        assert not at.exception, [e.value for e in at.exception]
    at.slider(key="bert_polysemy_task_steps").set_value(20)
    at.slider(key="bert_polysemy_task_n").set_value(100).run()
    at.button(key="lab_polysemy_task:train").click().run()
    job = at.session_state["job:lab_polysemy_task"]
    try:
        wait_for_job(job, timeout=90)
    finally:
        job.stop.set()
        job.wait(10)
    at.run()
    assert job.usable and not at.exception, (job.status, job.error)
    assert len(job.model.results) == 5
    assert len(at.get("plotly_chart")) >= 2  # seed bars + the cosine probe
    assert any("of 5" in m.value for m in at.markdown)
    for text, expect in (
        ("", "Type a sentence"),
        ("😀 🎉", "must contain"),
        ("x" * 3000, "must contain"),
        ("bank " * 30, "too long"),
    ):
        at.text_input(key="bert_polysemy_task_s1").set_value(text).run()
        assert not at.exception
        assert any(expect in w.value for w in at.warning), (text[:10], [w.value for w in at.warning])
        assert at.session_state["job:lab_polysemy_task"] is job
