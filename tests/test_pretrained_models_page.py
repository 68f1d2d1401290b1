"""views/pretrained_models.py under AppTest: every objective draws without error, empty text warns, a short
teacher run + distillation + measuring fills the compression table (real numbers), in en and zh."""
import time


from conftest import open_page, wait_for_job

OBJECTIVES = ["LM (GPT)", "MLM (BERT)", "PLM (XLNet)", "UniLM seq2seq", "RTD (ELECTRA)", "ELMo", "NSP", "SOP"]


def _wait(at, job, limit=120):
    wait_for_job(job, limit)
    at.run()


def _open(lang="en"):
    return open_page("views/pretrained_models.py", lang, timeout=120)


def test_objectives_encoders_and_bad_text():
    at = _open("zh")
    for name in OBJECTIVES:
        at.radio(key="ptm_obj").set_value(name).run()
        assert not at.exception and at.dataframe, name
    at.text_input(key="ptm_sent").set_value("   !!! 😀 ").run()
    assert at.warning and not at.exception
    for enc in ("CNN", "RNN", "Transformer", "MLP"):
        at.radio(key="ptm_enc").set_value(enc).run()
        assert at.success and not at.exception
    at.text_input(key="ptm_probe").set_value("zzz qqq unknownword").run()  # only unknown words: still a number
    assert not at.exception


def test_compression_lab_measures_real_variants():
    at = _open()
    jobs = []
    try:
        at.slider(key="ptm_steps").set_value(50).run()
        at.button(key="ptm_teacher:train").click().run()
        teacher = at.session_state["job:ptm_teacher"]
        jobs.append(teacher)
        _wait(at, teacher)
        assert teacher.status == "done", (teacher.status, len(teacher.history), teacher.seconds)
        at.button(key="ptm_ft:train").click().run()
        ft = at.session_state["job:ptm_ft"]
        jobs.append(ft)
        time.sleep(3)
        ft.stop.set()  # a few steps are enough here; the engine test checks the effect
        _wait(at, ft)
        assert ft.usable and "acc_random" in ft.history[-1].metrics and not at.exception
        at.button(key="ptm_students:train").click().run()
        students = at.session_state["job:ptm_students"]
        jobs.append(students)
        _wait(at, students)
        at.button(key="ptm_measure").click().run()
        res = at.session_state["ptm_results"]
        names = [r.name for r in res]
        assert names[:3] == ["fp32", "int8", "bf16"] and len(res) == 6, names
        fp32, int8 = res[0], res[1]
        assert int8.bytes < fp32.bytes and all(r.latency_ms > 0 for r in res)
        assert res[3].nonzero < fp32.params  # pruned
        assert not at.exception
    finally:
        for job in jobs:
            job.stop.set()
            job.wait(30)


def test_polysemy_probe_and_representations():
    at = _open()
    at.button(key="ptm_poly_btn").click().run()
    assert at.session_state["ptm_poly_on"] and not at.exception
    at.text_input(key="ptm_poly").set_value("bank | no separator here").run()
    assert any("bank | no separator here" in w.value for w in at.warning) and not at.exception
    at.text_area(key="ptm_docs").set_value("😀\n!!!").run()
    assert at.warning and not at.exception
