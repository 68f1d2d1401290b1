"""views/word2vec.py under AppTest: a short live run gives sensible neighbours; bad settings and unknown words give
messages (no traceback) and keep the trained model."""

from conftest import open_page, wait_for_job


def _open(lang="en"):
    return open_page("views/word2vec.py", lang, timeout=120)


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
        for key, value, code in (("w2v_dim", 0, "dimensions"), ("w2v_window", 0, "window"), ("w2v_lr", 1e9, "learning")):
            at.number_input(key=key).set_value(value).run()
            assert any(code in e.value.lower() for e in at.error), code
            assert at.button(key="w2v:train").disabled
            assert at.session_state["job:w2v"] is job and not at.exception
    finally:
        at.session_state["job:w2v"].stop.set()
        job.wait(30)


def test_tabs_answer_in_chinese_and_bad_counts_warn():
    at = _open("zh")
    assert not at.exception
    at.text_input(key="w2v_counts").set_value("猫:abc 狗").run()
    assert at.warning and not at.exception
    at.text_input(key="w2v_counts").set_value("猫:5 狗:3 马:1").run()
    assert not at.exception
    at.button(key="w2v_measure").click().run()
    assert not at.exception


def test_fasttext_tabs_train_and_show_oov_and_label_tree():
    at = _open()
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
        for j in jobs:
            j.stop.set()
            j.wait(30)
