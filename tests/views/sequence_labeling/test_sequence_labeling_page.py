"""Page interactions on views/sequence_labeling/page.py under AppTest: bad input gives a message, training runs end,
results are drawn, and what was trained is kept."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, open_page, stop_jobs, wait_for_job
from streamlit.testing.v1 import AppTest

from ui.i18n import t
from views.sequence_labeling.common import FULL_CRF

PAGE = "views/sequence_labeling/page.py"


@pytest.fixture()
def at():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    app.query_params["lang"] = "en"
    app.run()
    app.switch_page(PAGE).run()
    yield app
    stop_jobs(app)


def _tab(at: AppTest, code: str) -> AppTest:
    """Open another tab (its i18n key tab_<name>) the way a click does: only the open tab renders."""
    at.session_state["seq_tab"] = t(f"sequence_labeling.tab_{code}", "en")
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_link_opens_one_tab_with_nothing_trained(lang):
    """?seq_tab=taggers renders the taggers tab alone: its HMM rows and F1 chart, none of the HMM tab's widgets."""
    at = open_page(PAGE, lang, seq_tab="taggers")
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="seq_pd_lines")
    assert not [w for w in at.get("segmented_control") if w.key == "seq_model"]
    assert any(m.value.startswith("**HMM (jieba)**") for m in at.markdown)
    # the live CRF says it is a slice and names the full result with its numbers
    note = [c.value for c in at.caption if "crf_bench.py" in c.value]
    assert len(note) == 1 and f"{FULL_CRF['f1']:.4f}" in note[0] and "1,500" in note[0], note


def test_the_full_result_quoted_on_the_page_is_the_benchmarks():
    """FULL_CRF (the numbers the taggers tab quotes) equals the summary line bench/crf_bench.py wrote."""
    text = (ROOT / "bench" / "results" / "crf.md").read_text(encoding="utf-8")
    summary = json.loads(re.search(r"Summary \(`--json`.*?`(\{.*\})`", text).group(1))
    assert summary["lines"] == FULL_CRF["full_lines"]
    assert (FULL_CRF["f1"], FULL_CRF["f1_peer"]) == (summary["f1_ours"], summary["f1_crfsuite"])
    assert (FULL_CRF["train_s"], FULL_CRF["train_s_peer"]) == (summary["train_s_ours"], summary["train_s_crfsuite"])


def _train(at: AppTest, key: str):
    at.button(key=f"{key}:train").click().run()
    job = wait_for_job(at.session_state[f"job:{key}"], 300)
    at.run()
    return job


def test_bad_sentences_give_messages(at):
    for text, expect in [
        ("", "Type a Chinese sentence"),
        ("中" * 2000, "only the first"),
        ("我爱NLP😀！", "never saw"),
    ]:
        at.text_input(key="seq_sentence").set_value(text).run()
        assert not at.exception, [e.value for e in at.exception]
        shown = [m.value for m in list(at.warning) + list(at.info)]
        assert any(expect in m for m in shown), (text, shown)


def test_rib_rob_training_shows_label_bias_and_zero_words_is_refused(at):
    _tab(at, "bias")
    job = _train(at, "seq_lb")
    assert job.usable and not at.exception
    memm, crf = job.model
    assert job.status == "done" and len(job.history) == 40, (job.status, len(job.history), job.seconds)
    assert memm.predict(["rob"]) == [[0, 1, 2]] and crf.predict(["rob"]) == [[3, 4, 5]]
    at.number_input(key="seq_rib").set_value(0)
    at.number_input(key="seq_rob").set_value(0)
    at.run()
    at.button(key="seq_lb:train").click().run()
    assert any("training word" in e.value for e in at.error)
    assert at.session_state["job:seq_lb"] is job  # the earlier training is kept


def test_baum_welch_and_peoples_daily_taggers(at):
    at.number_input(key="seq_bw_iters").set_value(3).run()
    bw = _train(at, "seq_bw")
    assert bw.usable and len(bw.history) == 3
    at.segmented_control(key="seq_model").set_value("Baum-Welch").run()
    assert not at.exception and not any("not been trained" in m.value for m in at.info)
    _tab(at, "three").number_input(key="seq_pd_lines").set_value(100).run()
    pd_job = _train(at, "seq_pd")
    assert pd_job.usable and not at.exception
    scores = at.session_state[f"seq_f1_{pd_job.started}"]
    assert set(scores) == {"CRF", "MEMM"} and all(0 < f <= 1 for f in scores.values())
    assert pd_job.status == "done" and pd_job.seconds < 60, (
        pd_job.status,
        pd_job.seconds,
    )  # 100 lines: well in the cap
    crf, memm = pd_job.model
    assert crf.stopped_by and memm.stopped_by  # both optimisers ran to one of their stopping rules
    # predict, then see: the two cuts are drawn only once the learner has guessed whether they agree
    assert not any(m.value.startswith(("**CRF**", "**MEMM**")) for m in at.markdown)
    text = at.text_input(key="seq_sentence").value
    picks = [r for r in at.radio if r.key and r.key.startswith("predict:seq_memm_crf") and r.key.endswith(":pick")]
    assert len(picks) == 1
    sk = picks[0].key[: -len(":pick")]
    oracle = {m.kind: m.predict([text])[0] for m in pd_job.model}  # the engine's Viterbi paths
    truth = "same" if list(oracle["crf"]) == list(oracle["memm"]) else "differ"
    picks[0].set_value("same").run()
    at.button(key=f"{sk}:commit").click().run()
    assert not at.exception
    rec = at.session_state[sk]
    assert rec["truth"] == [truth] and rec["correct"] is (truth == "same")
    ev = [e for e in at.session_state["coach_events"] if e["ref"] == "seq_memm_crf"]
    assert len(ev) == 1 and ev[0]["topic"] == "misc"
    assert any(m.value.startswith("**CRF**") for m in at.markdown) and any(
        m.value.startswith("**MEMM**") for m in at.markdown
    )
