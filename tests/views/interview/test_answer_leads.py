"""Every answer opens with a lead of at most two sentences (what you would say in 30 seconds), in en and zh, and the
bank's named content fixes hold. Oracle: the answer files themselves, read with tomllib through ui.i18n.qa."""

import re

import pytest

from engine.interview import curriculum as cur
from ui.i18n import qa

LIMITS = {"en": 45, "zh": 90}  # words (en) / characters (zh)


def sentences(text: str, lang: str) -> list[str]:
    ends = r"[。！？]" if lang == "zh" else r"[.!?](?=\s|$)"
    return [s for s in re.split(ends, text.strip()) if s.strip()]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_answer_has_a_short_lead(lang):
    bank = qa(lang)
    missing, long = [], []
    for e in cur.entries():
        lead = bank.get(e.id, {}).get("lead", "").strip()
        if not lead:
            missing.append(e.id)
            continue
        size = len(lead.split()) if lang == "en" else len(re.sub(r"\s", "", lead))
        if len(sentences(lead, lang)) > 2 or size > LIMITS[lang]:
            long.append((e.id, len(sentences(lead, lang)), size))
    assert not missing, missing
    assert not long, long


def test_sentence_counter_counts():  # the check above can fail
    assert len(sentences("One. Two! Three?", "en")) == 3
    assert len(sentences("p = 0.75 here. Then more", "en")) == 2
    assert len(sentences("一。二！三？", "zh")) == 3


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pipa_is_easy_to_guess_not_hard_either_way(lang):
    entry = qa(lang)["bert-12"]
    text = entry["answer"] + " ".join(q.get("explain", "") + " ".join(q["choices"]) for q in entry.get("quiz", []))
    assert "琵琶" in text
    assert "either way" not in text.lower() and "无论怎样都难" not in text and "都难" not in text
