"""The Transformer page's tf-08 section (seq2seq vs attention by length) and the misc-12 count toggle, under AppTest."""

from __future__ import annotations

import json

import pytest
from conftest import open_page, stop_jobs, wait_for_job

from ui.i18n import strings

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PAGE = "views/transformer/page.py"
JOB = "job:transformer_length"


def _chart(at, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.key == key).proto.spec)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_count_toggle_modules_vs_sites(lang):
    s = strings(lang)
    at = open_page(PAGE, lang)  # the architecture tab, open by default
    assert not at.exception, [e.value for e in at.exception]
    bars = next(
        c
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["layout"]["title"]["text"] == s["transformer.modules_title"]
    )
    assert json.loads(bars.proto.spec)["layout"]["yaxis"]["title"]["text"] == s["transformer.count"]
    at.toggle(key="transformer_count_sites").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    spec = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["layout"]["title"]["text"] == s["transformer.modules_title"]
    )
    assert spec["layout"]["yaxis"]["title"]["text"] == s["transformer.count_sites"]
    by_model = {tr["name"]: dict(zip(tr["x"], tr["y"])) for tr in spec["data"]}
    assert by_model["nn.Transformer"]["Dropout"] == 60 and by_model["nn.Transformer"]["Linear"] == 96
    assert s["transformer.sites_note"] in [c.value for c in at.caption]


def test_short_run_draws_curves_noise_check_and_alignments():
    at = open_page(PAGE, "zh", transformer_tab="seq2seq")
    assert strings("zh")["transformer.len_title"] in [h.value for h in at.subheader]
    try:
        at.slider(key="transformer_len_max").set_value(8)
        at.number_input(key="transformer_len_steps").set_value(30).run()
        at.button(key="transformer_length:train").click().run()
        job = wait_for_job(at.session_state[JOB])
        assert job.status == "done", (job.status, job.error)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        zh = strings("zh")
        acc = _chart(at, "transformer_len_acc")
        assert acc["layout"]["title"]["text"] == zh["transformer.len_acc_title"]
        assert [tr["name"] for tr in acc["data"]] == [
            zh[f"transformer.len_m_{n}"] for n in ("seq2seq", "attn", "transformer")
        ]
        assert acc["data"][0]["x"][0] == 5 and acc["data"][0]["x"][-1] == 8
        for n in ("attn", "transformer"):
            assert (
                _chart(at, f"transformer_len_align_{n}")["layout"]["xaxis"]["title"]["text"]
                == zh["transformer.len_source"]
            )
        noise = next(df.value for df in at.dataframe if zh["transformer.len_noise"] in df.value.columns)
        values = [float(v) for v in noise[zh["transformer.len_noise"]]]
        assert values[0] == 0.0 and values[1] > 0 and values[2] > 0  # the tf-08 check, live
        # the example slider changes the alignment size; the trained job is kept
        at.slider(key="transformer_len_example").set_value(6).run()
        assert not at.exception
        assert len(_chart(at, "transformer_len_align_attn")["data"][0]["y"]) == 6
        assert at.session_state[JOB] is job
    finally:
        stop_jobs(at)


def test_absurd_url_values_do_not_break_the_page():
    at = open_page(
        PAGE,
        "en",
        transformer_tab="seq2seq",
        transformer_len_max="1000",
        transformer_len_steps="-5",
        transformer_len_seed="x",
        transformer_count_sites="maybe",
    )
    assert not at.exception, [e.value for e in at.exception]
    assert 5 <= at.slider(key="transformer_len_max").value <= 60


def test_links_restore_the_section_settings():
    """A teacher's link (?transformer_tab=seq2seq&transformer_count_sites=true&transformer_len_max=16) opens the same
    view: the seq2seq tab with the section's settings, and the architecture tab's toggle once that tab is opened."""
    at = open_page(
        PAGE,
        "zh",
        transformer_tab="seq2seq",
        transformer_count_sites="true",
        transformer_len_max="16",
        transformer_len_steps="300",
    )
    assert not at.exception
    assert at.session_state["transformer_tab"] == strings("zh")["transformer.tabs"][3]
    assert at.slider(key="transformer_len_max").value == 16
    assert at.number_input(key="transformer_len_steps").value == 300
    at.session_state["transformer_tab"] = strings("zh")["transformer.tabs"][0]
    at.run()
    assert not at.exception
    assert at.toggle(key="transformer_count_sites").value is True
