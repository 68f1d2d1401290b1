"""The Review tab's identity panel: the learner code as words, the "continue on another device" link, sign in with a
code, sign out, and progress as a JSON file (store.transfer: export, and an import checked before anything is
written: a hostile or foreign file changes nothing and gets a clear message)."""

from __future__ import annotations

import json

import streamlit as st

from store import learners as store_learners
from store import transfer
from store.errors import StoreError
from ui import learner
from ui.i18n import t

IMPORT_CODES = ("too_big", "encoding", "not_json", "number", "foreign", "version", "invalid", "too_many", "markup")
SIGN_IN = "coach_id_code"  # the sign-in box (never bound to the URL: a code is a secret)
MESSAGE = "coach_id_message"  # session: (level, text) the last identity action left


def export_button(key: str) -> None:
    """The store's progress file for the session's learner (built when clicked); nothing before the first answer."""
    me = learner.current()
    if me is None:
        return

    def data(learner_id: int = me.id) -> str:  # runs on click, in another thread: no st.* here
        try:
            return transfer.export_json(learner_id)
        except learner.DB_ERRORS as exc:
            return json.dumps({"error": getattr(exc, "code", type(exc).__name__)})

    st.download_button(
        t("coach.export"),
        data,
        file_name="nlp-atlas-progress.json",
        mime="application/json",
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def _say(level: str, text: str) -> None:
    st.session_state[MESSAGE] = (level, text)


def _sign_in() -> None:
    problem = learner.sign_in(st.session_state.get(SIGN_IN) or "")
    if problem is None:
        st.session_state[SIGN_IN] = ""
        _say("success", t("coach.signed_in"))
    else:
        _say("error", t(problem))


def _sign_out() -> None:
    learner.sign_out()
    _say("info", t("coach.signed_out"))


def _start() -> None:
    if learner.ensure() is not None:
        learner.save_guesses()


def _import(key: str) -> None:
    up = st.session_state.get(key)
    if up is None:
        _say("warning", t("coach.import_pick"))
        return
    if up.size > transfer.MAX_BYTES:  # not even read
        _say("error", t("coach.import_err.too_big"))
        return
    me = learner.ensure()
    if me is None:
        return  # the notice says why
    try:
        s = transfer.import_progress(me.id, up.getvalue())
    except StoreError as exc:
        code = exc.code if exc.code in IMPORT_CODES else None
        _say("error", t(f"coach.import_err.{code}") if code else t("coach.err_db", why=exc.code))
        return
    except learner.DB_ERRORS as exc:
        _say("error", t("coach.err_db", why=type(exc).__name__))
        return
    _say(
        "success",
        t(
            "coach.imported",
            added=s.cards_added,
            updated=s.cards_updated,
            reviews=s.reviews_added,
            skipped=s.reviews_skipped,
        ),
    )
    st.session_state.pop("coach_cards_due", None)  # the due list is read again
    st.session_state["coach_id_upload_n"] = st.session_state.get("coach_id_upload_n", 0) + 1  # an empty uploader


def panel() -> None:
    st.subheader(t("coach.identity"))
    msg = st.session_state.pop(MESSAGE, None)
    if msg:
        getattr(st, msg[0])(msg[1])
    me = learner.current()
    left, right = st.columns(2)
    with left:
        if me is None:
            st.markdown(t("coach.no_code_yet"))
            st.button(t("coach.start_saving"), key="coach_id_start", on_click=_start)
        else:
            st.markdown(t("coach.your_code"))
            st.code(store_learners.format_code(me.code), language=None)
            st.markdown(t("coach.continue"))
            st.code(learner.continue_link(st.context.url), language=None, wrap_lines=True)
            st.caption(t("coach.continue_warn"))
            st.button(t("coach.sign_out"), key="coach_id_sign_out", on_click=_sign_out, icon=":material/logout:")
    with right:
        st.text_input(t("coach.sign_in_label"), key=SIGN_IN, placeholder=t("coach.sign_in_placeholder"), max_chars=400)
        st.button(t("coach.sign_in"), key="coach_id_sign_in", on_click=_sign_in, icon=":material/login:")
    st.markdown(t("coach.files"))
    c1, c2 = st.columns(2)
    with c1:
        export_button(key="coach_id_export")
        if me is None:
            st.caption(t("coach.export_none"))
    with c2:
        key = f"coach_id_upload_{st.session_state.get('coach_id_upload_n', 0)}"
        st.file_uploader(t("coach.import"), type=["json"], key=key, help=t("coach.import_help"))
        st.button(t("coach.import_go"), key="coach_id_import", on_click=_import, args=(key,))
