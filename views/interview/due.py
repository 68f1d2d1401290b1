"""The Review tab's due cards, each answered right there: a quiz card shows its item (choices in the learner's order),
a mock card its question or follow-up with a text box and Grade, a guess card a link to the demo that asks it.

The list is read once (a snapshot in the session) and kept while the learner works through it, so an answered card
stays on screen with its verdict instead of vanishing when the store reschedules it; "Check again" reads it anew."""

from __future__ import annotations

import streamlit as st

from engine.interview import curriculum as cur
from store import cards as store_cards
from ui import learner
from ui.i18n import current_lang, t
from views.interview.common import ROOT, answers, demo_link
from views.interview.grading import grade_follow_up, grade_question, plain_md, points_of, show_result, warn_if_long
from views.interview.quiz import order

SNAPSHOT = "coach_cards_due"  # session: {"learner": id, "cards": [CardView]}
DONE = "coach_cards_done"  # session: {card id: result}
SHOWN = 8  # cards on screen at once
# predict-then-see prompt key -> (page url path, its tab's query params): where the guess is asked again
GUESS_DEMOS = {
    "w2v_noise": ("word2vec", {"w2v_tab": "ns"}),
    "w2v_hs_cost": ("word2vec", {"w2v_tab": "cost"}),
    "glove_fx": ("glove", {"glove_tab": "counts"}),
    "tf_sqrt_dk": ("transformer", {"transformer_tab": "attention"}),
    "tf_ln_bn": ("transformer", {"transformer_tab": "norms"}),
    "tf_pe_rotation": ("transformer", {"transformer_tab": "positions"}),
    "bert_pipa": ("bert", {"bert_tab": "masking"}),
    "bert_mask_share": ("bert", {"bert_tab": "masking"}),
    "bert_pooling": ("bert", {"bert_tab": "similarity"}),
    "ptm_shuffle": ("pretrained-models", {"ptm_tab": "perplexity"}),
    "seq_label_bias": ("sequence-labeling", {"seq_tab": "bias"}),
    "seq_memm_crf": ("sequence-labeling", {"seq_tab": "taggers"}),
}  # tests/views/interview/test_review_tab.py reads every key from views/ and checks this table


def _refresh() -> None:
    st.session_state.pop(SNAPSHOT, None)
    st.session_state.pop(DONE, None)


def snapshot(learner_id: int, tz) -> list[store_cards.CardView]:
    snap = st.session_state.get(SNAPSHOT)
    if not snap or snap["learner"] != learner_id:
        cards = store_cards.due(learner_id, today=True, tz=tz, limit=50, url=learner._url())
        snap = st.session_state[SNAPSHOT] = {"learner": learner_id, "cards": cards}
        st.session_state[DONE] = {}
    return snap["cards"]


def draw(learner_id: int, tz) -> None:
    """The due cards (raises the store's errors: the tab catches them)."""
    cards = snapshot(learner_id, tz)
    done = st.session_state.setdefault(DONE, {})
    left = [c for c in cards if c.id not in done]
    st.caption(t("coach.due_caption", n=len(left), done=len(done)))
    if not left and cards:
        st.success(t("coach.due_all_done"))
    elif not cards:
        st.info(t("coach.due_none"))
    for card in [c for c in cards if c.id in done] + left[:SHOWN]:
        with st.container(border=True):
            if card.kind == "quiz":
                _quiz(card, done, learner_id)
            elif card.kind == "mock":
                _mock(card, done)
            else:
                _guess(card)
    st.button(t("coach.due_check"), key="coach_card_refresh", on_click=_refresh, icon=":material/refresh:")


def _quiz_answered(card: store_cards.CardView, qid: str, item: int, key: str) -> None:
    chosen = st.session_state.get(key)
    items = answers().get(qid, {}).get("quiz", [])
    if chosen is None or item >= len(items):
        return
    right = int(items[item]["answer"])
    detail = {"chosen": int(chosen), "answer": right, "lang": current_lang()}
    learner.review("quiz", card.ref, card.topic, int(chosen) == right, detail)
    st.session_state.setdefault(DONE, {})[card.id] = {"chosen": int(chosen), "correct": int(chosen) == right}


def _quiz(card: store_cards.CardView, done: dict, learner_id: int) -> None:
    qid, _, item = card.ref.partition("#")
    items = answers().get(qid, {}).get("quiz", [])
    if not item.isdigit() or int(item) >= len(items):
        st.caption(t("coach.card_gone", ref=card.ref))
        return
    q, item = items[int(item)], int(item)
    shown = order(qid, item, len(q["choices"]), learner.learner_seed(learner_id))
    res, key = done.get(card.id), f"coach_card_{card.id}"
    st.markdown(f"**{qid}** · {q['q']}")  # as text: a disabled radio's label turns pale once answered
    st.radio(
        f"**{qid}** · {q['q']}",
        shown,
        index=shown.index(res["chosen"]) if res and res["chosen"] in shown else None,
        format_func=lambda k: q["choices"][k],
        key=key,
        on_change=_quiz_answered,
        args=(card, qid, item, key),
        label_visibility="collapsed",
        disabled=res is not None,
    )
    if res is not None:
        ok = res["correct"]
        (st.success if ok else st.error)(
            t("interview.right" if ok else "interview.wrong", answer=q["choices"][int(q["answer"])])
            + " "
            + q.get("explain", "")
        )
        demo_link(cur.by_id()[qid])


def _mock_graded(card: store_cards.CardView, qid: str, point: str, key: str) -> None:
    text, lang = st.session_state.get(key), current_lang()
    res = grade_follow_up(qid, point, text, lang) if point else grade_question(qid, text, lang)
    st.session_state.setdefault(DONE, {})[card.id] = res


def _mock(card: store_cards.CardView, done: dict) -> None:
    qid, _, point = card.ref.partition(":")
    e, lang = cur.by_id().get(qid), current_lang()
    p = points_of(qid, lang).get(point) if point else None
    if e is None or (point and p is None):
        st.caption(t("coach.card_gone", ref=card.ref))
        return
    st.markdown(f"**{qid}** · " + plain_md(p.ask if p else e.title(lang)))
    res, key = done.get(card.id), f"coach_card_{card.id}_text"
    if res is not None:
        show_result(res, lang)
        return
    st.text_area(t("interview.mock_answer"), key=key, height=120, placeholder=t("interview.mock_placeholder"))
    warn_if_long(st.session_state.get(key))
    st.button(
        t("interview.mock_grade"),
        key=f"coach_card_{card.id}_grade",
        on_click=_mock_graded,
        args=(card, qid, point, key),
    )


def _guess(card: store_cards.CardView) -> None:
    st.markdown(t("coach.guess_card", key=card.ref))
    page, params = GUESS_DEMOS.get(card.ref, (None, {}))
    file = f"views/{(page or '').replace('-', '_')}/page.py"
    if page and (ROOT / file).exists():
        label = t("coach.guess_again", page=t(f"nav.{page.replace('-', '_')}"))
        st.page_link(file, label=label, icon=":material/play_circle:", query_params={**params, "lang": current_lang()})
    else:
        st.caption(t("coach.card_gone", ref=card.ref))
