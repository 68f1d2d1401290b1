"""viz.coach.mastery: per chapter, one bar at its mean FSRS retrievability (clipped to [0, 1], coloured from red to
green) and one at the share of cards whose last answer was right; titled, with axis titles and a legend. Oracle: the
numbers given, and store.cards.retrievability for a real card (the chart shows what the store computes)."""

from datetime import datetime, timedelta, timezone

import plotly.graph_objects as go
import pytest

from store import cards
from viz.coach import SCALE, mastery

LABELS = dict(
    title="T",
    x_title="chapter",
    y_title="share",
    recall_label="recall",
    right_label="right",
    cards_label="cards",
    due_label="due",
)


def test_bars_are_the_retrievability_and_the_right_share_of_each_chapter():
    fig = mastery(["word2vec", "BERT"], [0.25, 0.9], [4, 2], [1, 0], [0.5, 1.0], **LABELS)
    recall, right = fig.data
    assert isinstance(recall, go.Bar) and list(recall.x) == ["word2vec", "BERT"] and list(recall.y) == [0.25, 0.9]
    assert list(recall.marker.color) == [0.25, 0.9] and (recall.marker.cmin, recall.marker.cmax) == (0.0, 1.0)
    assert [c for _, c in SCALE] == ["#d9534f", "#f0ad4e", "#2e9e5b"]
    assert list(recall.text) == ["25%", "90%"] and "cards: 4" in recall.hovertext[0] and "due: 0" in recall.hovertext[1]
    assert list(right.y) == [0.5, 1.0] and (recall.name, right.name) == ("recall", "right")
    assert fig.layout.title.text == "T" and fig.layout.xaxis.title.text == "chapter" and fig.layout.barmode == "group"
    assert fig.layout.yaxis.title.text == "share" and tuple(fig.layout.yaxis.range) == (0, 1.15)


@pytest.mark.parametrize("value, shown", [(-0.2, 0.0), (1.7, 1.0), (0.5, 0.5)])
def test_values_outside_zero_one_are_clipped(value, shown):
    fig = mastery(["x"], [value], [1], [0], [value], **LABELS)
    assert fig.data[0].y == (shown,) and fig.data[1].y == (shown,)


def test_a_wrong_answer_is_full_recall_at_first_then_falls_faster_than_a_right_one():
    """Why the chart has a second bar: FSRS's retrievability is 1 right after any answer; after Again it falls
    faster than after Good."""
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    good, again = (cards.advance(cards.initial(t0), rating, t0) for rating in (3, 1))
    assert cards.retrievability(again, t0) == pytest.approx(1.0)
    day = t0 + timedelta(days=1)
    assert cards.retrievability(again, day) < cards.retrievability(good, day) < 1.0
    r = cards.retrievability(again, day)
    assert mastery(["w2v"], [r], [1], [1], [0.0], **LABELS).data[0].y == (r,)
