"""Predict, then see: the learner commits a guess before a demo draws its result, and the guess becomes a card.

    predict_then_see("tf_ln_bn", t("predict.tf_ln_bn.prompt", mates=3), {"bn": ..., "ln": ...}, answer=drift_truth(d),
                     topic="misc", reveal=lambda: st.metric(...), explain=t("predict.tf_ln_bn.why"), variant=cfg)
    estimate_then_see("glove_fx", prompt, truth=weighting(10, x_max, alpha), tolerance=0.05, min_value=0.0,
                      max_value=1.0, step=0.01, topic="glove", reveal=..., variant=(x_max, alpha))

Until the learner presses "Commit my guess" (scored) or "Just show me" (not scored: nothing is ever blocked),
`reveal()` is not called, so the result that answers the prompt is not drawn. After, the box stays answered
(the guess, ✓ / ✗, the truth and a one-line why) on every rerun, and `reveal()` draws the result below it.

- The truth (`answer`, `truth`) is computed by the caller from the engine, never written by hand.
- `variant`: what the truth depends on (slider values, a lattice): another variant is another question, asked
  afresh; the same variant stays answered. The card's `ref` is `key` either way.
- A commit appends one event to st.session_state["coach_events"] (the coach drains them into FSRS cards):
  {"kind": "guess", "ref": key, "topic": chapter code, "correct": bool, "detail": {"guess", "truth", ...}, "ts"}.
  "Just show me" and reruns record nothing; "Ask me again" forgets the answer (the next commit is a new event).
- The widgets inside are not bound to the URL: a guess never arrives by link.
- Not a fragment (fragments do not nest): inside a tab's fragment its buttons rerun that fragment only.
- The buttons act in on_click callbacks, which run before the rerun: the guess is scored against the truth of the
  question the learner saw, and the rerun draws the answered box at once.
- Whatever answers the prompt goes inside `reveal` (the demo's own charts and tables too, not only a few numbers).
  A result drawn elsewhere on the tab (above the box, or in another column) is gated on `answered(key, variant)`.
- `st.session_state[REVEAL_ALL] = True` (tests and audits that must see every result: tests/conftest.py's
  `open_page(..., reveal=True)`) answers every prompt as it is drawn the way "Just show me" does: not scored,
  nothing recorded, the box says so. No widget or link sets it.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any, Callable, Collection, Hashable, Mapping

import streamlit as st

from ui.i18n import current_lang, t

EVENTS = "coach_events"  # session_state list the coach UI drains
TOPICS = ("w2v", "glove", "tf", "bert", "ptm", "misc")  # chapter codes of the curriculum
PREFIX = "predict:"
HIDDEN_LABEL = {"label_visibility": "collapsed"}  # the prompt is drawn above the widget (and stays its label)
REVEAL_ALL = "predict_reveal_all"  # session flag: every prompt answered as by "Just show me" (see the docstring)


# ---------------------------------------------------------------- pure parts (tests call them directly)
def state_key(key: str, variant: Hashable = None) -> str:
    """Where the answer of prompt `key` (for this variant) lives in st.session_state; its widgets' keys extend it."""
    if variant is None:
        return f"{PREFIX}{key}"
    return f"{PREFIX}{key}@{hashlib.sha1(repr(variant).encode()).hexdigest()[:10]}"


def answers_of(answer: str | Collection[str]) -> frozenset[str]:
    """The correct option codes: one code, or several when the engine finds a tie."""
    return frozenset([answer] if isinstance(answer, str) else answer)


def score_choice(guess: str, answer: str | Collection[str]) -> bool:
    return guess in answers_of(answer)


def score_estimate(guess: float, truth: float, tolerance: float) -> bool:
    return math.isfinite(guess) and math.isfinite(truth) and abs(guess - truth) <= tolerance


def check_topic(topic: str) -> None:
    if topic not in TOPICS:
        raise ValueError(f"topic must be one of {TOPICS}, not {topic!r}")


def guess_event(key: str, topic: str, correct: bool, guess: str, truth: str, **detail: Any) -> dict:
    """The event a commit records (see the module docstring)."""
    check_topic(topic)
    return {
        "kind": "guess",
        "ref": key,
        "topic": topic,
        "correct": bool(correct),
        "detail": {"guess": str(guess), "truth": str(truth), **detail},
        "ts": time.time(),
    }


def answered(key: str, variant: Hashable = None) -> bool:
    """Has prompt `key` (this variant) been answered, by a commit or "Just show me"? True once its box is drawn
    answered, and always under REVEAL_ALL: a result drawn outside `reveal` is drawn only when this is True."""
    return bool(st.session_state.get(REVEAL_ALL)) or st.session_state.get(state_key(key, variant)) is not None


def _answer(sk: str, truth: list) -> dict | None:
    """The stored answer record of `sk`; under REVEAL_ALL an unanswered prompt is answered here as "Just show me"
    answers it (same record, nothing recorded)."""
    if st.session_state.get(sk) is None and st.session_state.get(REVEAL_ALL):
        _show(sk, truth)
    return st.session_state.get(sk)


def record(event: dict) -> None:
    st.session_state.setdefault(EVENTS, []).append(event)


# ---------------------------------------------------------------- button callbacks (they run before the rerun, so
# the rerun already draws the answered box: no half-answered frame with the Commit button still live)
def _commit(sk: str, score: Callable[[Any], tuple[dict, dict] | None]) -> None:
    """on_click of "Commit my guess": score the guess the box holds, store the answer, record one event."""
    guess = st.session_state.get(f"{sk}:pick")
    scored = None if guess is None else score(guess)
    if scored is None:  # nothing chosen (or typed) yet
        st.session_state[f"{sk}:empty"] = True
        return
    st.session_state[sk], event = scored
    record(event)


def _show(sk: str, truth: list) -> None:
    """on_click of "Just show me": reveal, unscored, nothing recorded."""
    st.session_state[sk] = {"mode": "shown", "guess": None, "truth": truth, "correct": None}


def _forget(sk: str) -> None:
    """on_click of "Ask me again": the box opens again."""
    for k in (sk, f"{sk}:pick"):
        st.session_state.pop(k, None)


# ---------------------------------------------------------------- the widgets
def predict_then_see(
    key: str,
    prompt: str,
    options: Mapping[str, str],
    answer: str | Collection[str],
    *,
    topic: str,
    reveal: Callable[[], None],
    explain: str | None = None,
    variant: Hashable = None,
) -> dict | None:
    """A multiple-choice guess: `options` maps language-neutral codes to their labels (in the current language),
    `answer` is the correct code (or codes, on a tie). Returns the answer record
    {"mode": "guess" | "shown", "guess", "truth", "correct"} once revealed (after `reveal()` ran), else None."""
    check_topic(topic)
    labels = dict(options)
    truth = answers_of(answer)
    if not truth or not truth <= set(labels):
        raise ValueError(f"{key}: the answer {sorted(truth)} is not among the options {list(labels)}")
    sk, codes = state_key(key, variant), list(labels)
    truth_codes = [c for c in codes if c in truth]

    def score(guess: str) -> tuple[dict, dict] | None:
        if guess not in labels:
            return None
        correct = score_choice(guess, truth)
        event = guess_event(
            key,
            topic,
            correct,
            labels[guess],
            " / ".join(labels[c] for c in truth_codes),
            guess_code=guess,
            truth_code=" / ".join(truth_codes),
            **_about(prompt, variant),
        )
        return {"mode": "guess", "guess": guess, "truth": truth_codes, "correct": correct}, event

    with st.container(border=True):
        st.markdown(t("predict.badge"))
        st.markdown(prompt)  # as text, not only as the widget's label: a disabled label turns pale once answered
        rec = _answer(sk, truth_codes)
        if rec is None:
            st.radio(prompt, codes, index=None, format_func=labels.__getitem__, key=f"{sk}:pick", **HIDDEN_LABEL)
            _buttons(sk, score, truth_codes, "predict.pick_first")
            return None
        done = codes.index(rec["guess"]) if rec["guess"] in codes else None
        st.radio(
            prompt, codes, index=done, format_func=labels.__getitem__, key=f"{sk}:done", disabled=True, **HIDDEN_LABEL
        )
        said = labels.get(rec["guess"], str(rec["guess"]))
        _verdict(rec, said, " / ".join(labels.get(c, c) for c in rec["truth"]), explain, sk)
    reveal()
    return rec


def estimate_then_see(
    key: str,
    prompt: str,
    truth: float,
    *,
    topic: str,
    reveal: Callable[[], None],
    tolerance: float,
    min_value: float,
    max_value: float,
    step: float,
    fmt: str = "{:.2f}",
    explain: str | None = None,
    variant: Hashable = None,
) -> dict | None:
    """A numeric guess (a number box, empty until the learner types), right when within `tolerance` of `truth`.
    `fmt` formats numbers for the verdict and the card. Returns the answer record like predict_then_see."""
    check_topic(topic)
    truth = float(truth)
    sk = state_key(key, variant)

    def score(guess: float) -> tuple[dict, dict]:
        correct = score_estimate(float(guess), truth, tolerance)
        event = guess_event(
            key, topic, correct, fmt.format(guess), fmt.format(truth), tolerance=tolerance, **_about(prompt, variant)
        )
        return {"mode": "guess", "guess": float(guess), "truth": [truth], "correct": correct}, event

    with st.container(border=True):
        st.markdown(t("predict.badge"))
        st.markdown(prompt)  # as text, not only as the widget's label: a disabled label turns pale once answered
        rec = _answer(sk, [truth])
        if rec is None:
            st.number_input(
                prompt,
                min_value=min_value,
                max_value=max_value,
                value=None,
                step=step,
                key=f"{sk}:pick",
                placeholder=t("predict.type_guess"),
                **HIDDEN_LABEL,
            )
            _buttons(sk, score, [truth], "predict.type_first")
            return None
        st.number_input(
            prompt,
            min_value=min_value,
            max_value=max_value,
            value=rec["guess"],
            key=f"{sk}:done",
            disabled=True,
            **HIDDEN_LABEL,
        )
        said = "" if rec["guess"] is None else fmt.format(rec["guess"])
        off = "" if rec["guess"] is None else t("predict.within", tol=fmt.format(tolerance))
        _verdict(rec, said, fmt.format(rec["truth"][0]), " ".join(s for s in (off, explain) if s), sk)
    reveal()
    return rec


def _about(prompt: str, variant: Hashable) -> dict:
    """What a card needs besides guess and truth: the question as asked, its variant, the language."""
    return {"prompt": prompt, "variant": None if variant is None else repr(variant)[:200], "lang": current_lang()}


def _buttons(sk: str, score: Callable, truth: list, empty_key: str) -> None:
    """Commit / Just show me side by side (callbacks: see above), the notice when Commit found no guess, and the
    line saying the result comes after."""
    row = st.container(horizontal=True)
    row.button(
        t("predict.commit"),
        key=f"{sk}:commit",
        type="primary",
        icon=":material/lock:",
        on_click=_commit,
        args=(sk, score),
    )
    row.button(t("predict.show"), key=f"{sk}:show", type="tertiary", on_click=_show, args=(sk, truth))
    if st.session_state.pop(f"{sk}:empty", False):
        st.warning(t(empty_key))
    st.caption(t("predict.hidden"))


def _verdict(rec: dict, guess: str, truth: str, explain: str | None, sk: str) -> None:
    why = f" {explain}" if explain else ""
    if rec["mode"] == "guess" and rec["correct"]:
        st.success(t("predict.right", guess=guess, truth=truth) + why)
    elif rec["mode"] == "guess":
        st.error(t("predict.wrong", guess=guess, truth=truth) + why)
    else:
        st.info(t("predict.unscored", truth=truth) + why)
    st.button(t("predict.again"), key=f"{sk}:again", on_click=_forget, args=(sk,), type="tertiary")
