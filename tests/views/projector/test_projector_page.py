"""views/projector/page.py under AppTest: with nothing trained it says where to train and draws MiniLM's input
embeddings (en and zh); a short word2vec run from the word2vec page appears in it, its highlighted neighbours equal
brute-force cosine on the job's vectors, two embeddings go side by side, and the exported word2vec file loads in
gensim with the same neighbours; bad input (an unknown word, HTML, a huge point count by link) gives a message."""

import json
import math

import numpy as np
import pytest
from conftest import open_page, raw_i18n_keys, wait_for_job

from ui.i18n import strings

PAGE = "views/projector/page.py"
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _s(lang: str, key: str, **fmt) -> str:
    text = strings(lang)[f"projector.{key}"]
    return text.format(**fmt) if fmt else text


def _specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _trace_words(spec: dict, role_name: str) -> list[str]:
    return [w for tr in spec["data"] if tr.get("name") == role_name for w in tr["text"]]


def _points(spec: dict) -> int:
    return sum(len(tr["text"]) for tr in spec["data"])  # one label per point (plotly packs the numbers)


def _brute_neighbours(words, vectors, word, k):
    """Cosine to every other row, one at a time (the oracle)."""
    q = vectors[words.index(word)].astype(np.float64)
    sims = []
    for w, v in zip(words, vectors.astype(np.float64)):
        if w != word:
            sims.append((-(q @ v) / math.sqrt((q @ q) * (v @ v)), w))
    return [w for _, w in sorted(sims)[:k]]


@pytest.mark.parametrize("lang, word", [("en", "king"), ("zh", "中")])
def test_nothing_trained_points_to_the_training_pages_and_draws_minilm(lang, word):
    from views.projector.sources import minilm_table

    at = open_page(PAGE, lang)
    assert not at.exception and not raw_i18n_keys(at)
    assert _s(lang, "nothing_trained") in [i.value for i in at.info]
    links = {el.proto.page for el in at.get("page_link")}
    assert {"word2vec", "glove"} <= links, links  # their url paths
    (spec,) = _specs(at)
    assert spec["layout"]["title"]["text"].startswith(_s(lang, "src_minilm"))
    assert _points(spec) == 500  # the 500 most frequent whole words
    at.text_input(key="projector_word").set_value(word).run()
    table = at.dataframe[0].value
    emb = minilm_table()
    assert list(table.iloc[:, 0]) == _brute_neighbours(emb.words, emb.vectors, word, 10)
    (spec,) = _specs(at)
    assert _trace_words(spec, _s(lang, "role_query")) == [word]
    assert set(_trace_words(spec, _s(lang, "role_neighbour"))) == set(table.iloc[:, 0])
    at.session_state["projector_tab"] = _s(lang, "tab_compare")
    at.run()
    assert _s(lang, "compare_need_two") in [i.value for i in at.info] and not at.exception


def test_a_trained_word2vec_is_projected_compared_and_exported(media):
    from gensim.models import KeyedVectors

    at = open_page("views/word2vec/page.py", "en", w2v_epochs="2")
    at.button(key="w2v:train").click().run()
    job = wait_for_job(at.session_state["job:w2v"])
    try:
        at.switch_page(PAGE).run()
        assert not at.exception and at.selectbox(key="projector_emb").value.startswith("word2vec")
        assert _s("en", "nothing_trained") not in [i.value for i in at.info]
        at.text_input(key="projector_word").set_value("cat").run()
        words, vectors = job.model.vocab.itos, job.model.vectors
        shown = list(at.dataframe[0].value.iloc[:, 0])
        assert shown == _brute_neighbours(words, vectors, "cat", 10)
        (spec,) = _specs(at)
        assert _points(spec) == len(words)  # a toy vocabulary: every word

        at.session_state["projector_tab"] = _s("en", "tab_compare")
        at.run()
        assert not at.exception and len(_specs(at)) == 3  # two maps and the neighbour agreement
        assert 0 <= float(at.metric[0].value) <= 1
        at.text_area(key="projector_words").set_value("cat dog <b>zz</b> king").run()
        assert any("zz" in w.value and "<" not in w.value for w in at.warning)
        at.radio(key="projector_method").set_value("t-SNE").run()  # three words are too few for t-SNE
        assert _s("en", "err_too_few", method="t-SNE", n=3) in [w.value for w in at.warning] and not at.exception

        at.session_state["projector_tab"] = _s("en", "tab_export")
        at.radio(key="projector_method").set_value("PCA")
        at.run()
        buttons = {b.key: b for b in at.get("download_button")}
        text = media(buttons["projector_dl_w2v"]).decode("utf-8")
        kv = KeyedVectors.load_word2vec_format(_write(text), binary=False)
        assert kv.index_to_key == words and np.array_equal(kv.vectors, vectors)
        assert [w for w, _ in kv.most_similar("cat", topn=10)] == shown
        vec_rows = media(buttons["projector_dl_vec"]).decode("utf-8").splitlines()
        meta_rows = media(buttons["projector_dl_meta"]).decode("utf-8").splitlines()
        assert len(vec_rows) == len(meta_rows) == len(words) and meta_rows == words
    finally:
        job.stop.set()
        job.wait(30)


def _write(text: str) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write(text)
    return f.name


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bad_input_gives_messages(lang):
    at = open_page(PAGE, lang, projector_n="1000000", projector_emb="w2v", projector_tab="map")
    assert not at.exception and at.slider(key="projector_n").value == 2000
    assert any("1000000" in t.value for t in at.toast)  # the link's value was corrected, with a notice
    assert _s(lang, "not_trained", name=_s(lang, "name_w2v")) in [i.value for i in at.info]
    assert _points(_specs(at)[0]) == 2000
    for typed in ("zzqqxx", "<script>alert(1)</script>", "   "):
        at.text_input(key="projector_word").set_value(typed).run()
        assert not at.exception and not raw_i18n_keys(at)
        warnings = [w.value for w in at.warning]
        if typed.strip():
            assert len(warnings) == 1 and "<" not in warnings[0] and (typed in warnings[0] or "script" in warnings[0])
        else:
            assert not warnings
