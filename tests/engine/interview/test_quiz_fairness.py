"""The quiz gives nothing away: dumb strategies (always position i, always the longest, always the shortest) score at most 40 % on every chapter (the quiz tab's pages) and every
app page, and no position holds the answer more than 1/k + 5 % of the time over the whole bank.

Oracle: the strategies are played on what a learner is shown (engine.interview.quiz.quiz_choices), for many seeds;
the answer shown must be the file's answer (same text) — the permutation may move it, never change it.
"""

from collections import defaultdict

import pytest

from engine.interview import curriculum as cur
from engine.interview import quiz_choices
from engine.interview.quiz import _bank, file_index, permutation

SEEDS = range(40)
LANGS = ("en", "zh")


def items():
    return [(e, i) for e in cur.entries() for i, _ in enumerate(_bank("en").get(e.id, []))]


def test_the_bank_is_there_and_both_languages_agree():
    its = items()
    assert len(its) >= 140
    for e, i in its:
        en, zh = _bank("en")[e.id][i], _bank("zh")[e.id][i]
        assert len(en["choices"]) == len(zh["choices"]) and en["answer"] == zh["answer"], (e.id, i)


@pytest.mark.parametrize("lang", LANGS)
def test_the_shown_answer_is_the_files_answer(lang):
    for seed in (0, 7, 123456):
        for e, i in items():
            q = _bank(lang)[e.id][i]
            shown, answer = quiz_choices(e.id, i, seed, lang)
            assert sorted(shown) == sorted(q["choices"])
            assert shown[answer] == q["choices"][q["answer"]]
            assert [q["choices"][file_index(e.id, i, seed, p)] for p in range(len(shown))] == shown


def test_the_order_is_seeded_per_learner_and_the_same_in_both_languages():
    e, i = items()[0]
    assert quiz_choices(e.id, i, 5, "en") == quiz_choices(e.id, i, 5, "en")  # a teacher's seed replays a room
    assert permutation(e.id, i, 5) == permutation(e.id, i, 5)
    perms = {permutation(x.id, j, s) for s in SEEDS for x, j in items()[:5]}
    assert len(perms) > 3  # seeds do change the order
    for s in (1, 2):
        assert [quiz_choices(x.id, j, s, "en")[1] for x, j in items()] == [
            quiz_choices(x.id, j, s, "zh")[1] for x, j in items()
        ]


def _score(strategy, group, seed, lang):
    right = 0
    for e, i in group:
        shown, answer = quiz_choices(e.id, i, seed, lang)
        right += strategy(shown) == answer
    return right / len(group)


def _longest(shown):  # the test-wise strategy: the longest option, the first one shown on a tie
    return max(range(len(shown)), key=lambda p: (len(shown[p]), -p))


def _shortest(shown):  # its mirror, for a bank that over-corrects
    return min(range(len(shown)), key=lambda p: (len(shown[p]), p))


def _groups(by):
    out = defaultdict(list)
    for e, i in items():
        out[getattr(e, by)].append((e, i))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_always_position_i_scores_at_most_40_percent_on_every_chapter(lang):
    for chapter, group in _groups("chapter").items():
        for seed in SEEDS:
            for pos in range(4):
                s = _score(lambda shown, pos=pos: pos, group, seed, lang)
                assert s <= 0.40, (chapter, seed, pos, s)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("by", ["chapter", "page"])
@pytest.mark.parametrize("strategy", [_longest, _shortest], ids=["longest", "shortest"])
def test_always_the_longest_or_shortest_scores_at_most_40_percent(lang, by, strategy):
    for name, group in _groups(by).items():
        scores = [_score(strategy, group, seed, lang) for seed in SEEDS]
        assert max(scores) <= 0.40, (name, max(scores))


@pytest.mark.parametrize("lang", LANGS)
def test_always_position_i_on_every_app_page_on_average(lang):
    # pages mix chapters (the quiz tab deals chapter by chapter), so a page is fair on average over learners
    for page, group in _groups("page").items():
        for pos in range(4):
            mean = sum(_score(lambda shown, pos=pos: pos, group, s, lang) for s in SEEDS) / len(SEEDS)
            assert mean <= 0.40, (page, pos, mean)


def test_no_position_holds_more_than_one_over_k_plus_5_percent():
    for seed in SEEDS:
        held = defaultdict(int)
        total = defaultdict(int)
        for e, i in items():
            shown, answer = quiz_choices(e.id, i, seed, "en")
            held[(len(shown), answer)] += 1
            total[len(shown)] += 1
        for (k, pos), n in held.items():
            assert n / total[k] <= 1 / k + 0.05, (seed, k, pos, n, total[k])


def test_control_the_files_own_order_would_fail():
    # the strategies above are strong enough to catch a biased order: shown in file order, no position is at 1/k
    held = defaultdict(int)
    for e, i in items():
        held[_bank("en")[e.id][i]["answer"]] += 1
    assert max(held.values()) / len(items()) > 1 / 3 + 0.05
