"""Interview prep: every handbook question with its answer and demo link, a quiz with exportable progress, a timed
mock interview, a classroom tour, and two mini-labs (multi-task sharing, noisy labels)."""

import time
from pathlib import Path

import streamlit as st

from engine.interview import curriculum as cur
from engine.interview import multitask as mt
from engine.interview import noise as ln
from ui.i18n import current_lang, qa, t, tl
from ui.tabs import url_tabs
from ui.training import training_panel
from ui.widgets import download_json, qa_panel
from viz import interview as vz

ROOT = Path(__file__).resolve().parents[2]
B = dict(bind="query-params")
lang = current_lang()
answers = qa(lang)
chapters = cur.chapters()
chapter_name = dict(zip(chapters, tl("interview.chapter_names")))
progress = st.session_state.setdefault("interview_progress", {})
labels = [t("interview.all"), *(chapter_name[c] for c in chapters)]  # numbers in the URL, labels on screen
TAB_CODES = ("bank", "quiz", "mock", "tour", "multitask", "noise")  # ?interview_tab=<code> opens that tab


def demo_link(e: cur.Entry) -> None:
    file = f"views/{e.page.replace('-', '_')}.py"
    if (ROOT / file).exists():
        entry = answers.get(e.id, {})
        label = t("interview.open_demo", page=t(f"nav.{e.page.replace('-', '_')}"))
        if entry.get("demo"):
            label += f" → {entry['demo']}"  # the tab/section on that page
        params = {"lang": lang, **{k: str(v) for k, v in entry.get("params", {}).items()}}
        if e.page == "interview" and entry.get("demo") in tl("interview.tabs"):  # a lab of this page: open its tab
            params.setdefault("interview_tab", TAB_CODES[tl("interview.tabs").index(entry["demo"])])
        st.page_link(file, label=label, icon=":material/play_circle:", query_params=params)
    else:
        st.caption(t("interview.page_missing"))


def show_answer(e: cur.Entry) -> None:
    entry = answers.get(e.id)
    st.markdown(entry["answer"] if entry else t("interview.not_written"))


# Only the open tab is drawn (ui.tabs.url_tabs). Tab sections that feed nothing to the rest of the page are
# fragments: a widget inside one reruns that section only. The mock interview (it holds its own timer fragment) and
# the two labs (training panels) stay in the script.
@st.fragment  # question bank
def bank_tab() -> None:
    c1, c2 = st.columns([3, 2])
    query = c1.text_input(t("interview.search"), "", key="interview_search", **B)
    chap = c2.selectbox(
        t("interview.chapter"), list(range(len(labels))), key="interview_chapter", format_func=labels.__getitem__, **B
    )
    found = cur.search(
        cur.entries(),
        query[:200],
        chapter=chapters[chap - 1] if chap else None,
        texts={k: v.get("answer", "") for k, v in answers.items()},
    )
    st.caption(t("interview.found", n=len(found), total=len(cur.entries())))
    for e in found:
        with st.expander(f"**{e.id}** · {e.title(lang)}" + ("" if e.id in answers else " · ✎")):
            show_answer(e)
            demo_link(e)


@st.fragment  # quiz
def quiz_tab() -> None:
    qchap = st.selectbox(
        t("interview.chapter"),
        list(range(len(chapters))),
        key="interview_quiz_chapter",
        format_func=labels[1:].__getitem__,
        **B,
    )
    ids = [e.id for e in cur.entries() if e.chapter == chapters[qchap]]
    items = cur.quiz_items(answers, ids)
    if not items:
        st.info(t("interview.no_quiz"))
    for qid, i, q in items:
        with st.container(border=True):
            done = progress.get(f"{qid}#{i}")  # the tab is drawn only while open: show answers given before
            pick = st.radio(
                f"**{qid}** · {q['q']}",
                list(range(len(q["choices"]))),
                index=done["chosen"] if done and done["chosen"] < len(q["choices"]) else None,
                format_func=lambda k, q=q: q["choices"][k],
                key=f"interview_quiz_{qid}_{i}",
            )
            if pick is not None:
                cur.record(progress, qid, i, pick, q["answer"])
                ok = pick == q["answer"]
                (st.success if ok else st.error)(
                    t("interview.right" if ok else "interview.wrong", answer=q["choices"][q["answer"]])
                    + " "
                    + q.get("explain", "")
                )
                demo_link(cur.by_id()[qid])
    sc = cur.scores(progress)
    if sc:
        cs = [c for c in chapters if c in sc]
        st.plotly_chart(
            vz.chapter_scores(
                [chapter_name[c] for c in cs],
                [sc[c][0] for c in cs],
                [sc[c][1] for c in cs],
                title=t("interview.score_title"),
                right_label=t("interview.right_short"),
                wrong_label=t("interview.wrong_short"),
                y_title=t("interview.answered"),
            ),
            width="stretch",
            key="interview_scores",
        )
        c1, c2 = st.columns(2)
        with c1:
            download_json(progress, "quiz_progress", key="interview_dl_json")
        c2.download_button(
            t("common.download_md"),
            cur.progress_markdown(progress, lang, t("interview.title"), "✓", "✗").encode("utf-8"),
            file_name="quiz_progress.md",
            mime="text/markdown",
            key="interview_dl_md",
        )


@st.fragment  # classroom tour
def tour_tab() -> None:
    steps = cur.tour()

    def _move(d):
        st.session_state["interview_step"] = min(max(int(st.session_state.get("interview_step", 1)) + d, 1), len(steps))

    c1, c2, c3 = st.columns([1, 2, 1])
    c1.button(t("interview.prev"), key="interview_prev", on_click=_move, args=(-1,), width="stretch")
    c3.button(t("interview.next"), key="interview_next", on_click=_move, args=(1,), width="stretch")
    step = c2.number_input(t("interview.step", n=len(steps)), 1, len(steps), key="interview_step", **B)
    e = steps[int(step) - 1]
    st.progress(int(step) / len(steps))
    st.subheader(f"{e.id} · {e.title(lang)}")
    st.caption(t("interview.presenter", page=t(f"nav.{e.page.replace('-', '_')}")))
    show_answer(e)
    demo_link(e)
    st.caption(t("interview.share"))


st.title(t("interview.title"))
st.markdown(t("interview.intro"))
tabs = url_tabs("interview_tab", TAB_CODES, tl("interview.tabs"))

if tabs[0].open:
    with tabs[0]:
        bank_tab()

if tabs[1].open:
    with tabs[1]:
        quiz_tab()

if tabs[2].open:
    with tabs[2]:  # mock interview
        c = st.columns(3)
        seed = c[0].number_input(t("common.seed"), 0, 100_000, 0, key="interview_mock_seed", **B)
        n_q = c[1].slider(t("interview.mock_n"), 1, 15, 5, key="interview_mock_n", **B)
        minutes = c[2].slider(t("interview.mock_minutes"), 1, 10, 2, key="interview_mock_min", **B)
        drawn = cur.draw([e.id for e in cur.entries()], n_q, int(seed))
        mock = st.session_state.setdefault("interview_mock", {"i": 0, "start": None, "grades": {}})
        if st.button(t("interview.mock_start"), key="interview_mock_go", type="primary"):
            mock.update(i=0, start=time.time(), grades={})
        if mock["start"] is not None:
            i = min(mock["i"], len(drawn) - 1)
            e = cur.by_id()[drawn[i]]
            st.subheader(t("interview.mock_q", i=i + 1, n=len(drawn)) + f" · {e.title(lang)}")

            @st.fragment(run_every=1.0)
            def _timer():
                left = minutes * 60 - (time.time() - mock["start"])
                st.progress(
                    max(left, 0) / (minutes * 60),
                    text=t("interview.mock_left", s=max(int(left), 0)) if left > 0 else t("interview.mock_over"),
                )

            _timer()
            with st.expander(t("interview.mock_reveal")):
                show_answer(e)
                demo_link(e)
            c1, c2, c3 = st.columns(3)
            for col, grade in ((c1, "knew"), (c2, "partly"), (c3, "missed")):
                if col.button(t(f"interview.mock_{grade}"), key=f"interview_mock_{grade}"):
                    mock["grades"][e.id] = grade
                    mock.update(i=i + 1, start=time.time())
                    if i + 1 >= len(drawn):
                        mock["start"] = None
                    st.rerun()
        if mock["grades"]:
            st.markdown("\n".join(f"- {qid}: {t(f'interview.mock_{g}')}" for qid, g in mock["grades"].items()))

if tabs[3].open:
    with tabs[3]:
        tour_tab()

if tabs[4].open:
    with tabs[4]:  # misc-08: hard vs soft sharing
        st.markdown(t("interview.mtl_intro"))
        c = st.columns(4)
        mode = c[0].radio(t("interview.mtl_mode"), list(mt.MODES), key="interview_mtl_mode", horizontal=True, **B)
        lam = c[1].select_slider("λ", [0.0, 0.001, 0.01, 0.1, 1.0, 10.0], 0.1, key="interview_mtl_lam", **B)
        n_train = c[2].slider(t("interview.mtl_n"), 4, 200, 24, key="interview_mtl_n", **B)
        rel = c[3].slider(t("interview.mtl_rel"), -1.0, 1.0, 0.9, 0.1, key="interview_mtl_rel", **B)
        cfg = mt.MultiTaskConfig(mode=mode, lam=lam, n_train=n_train, relatedness=rel)

        def _mtl_view(job):
            h = job.history
            st.plotly_chart(
                vz.multitask_curves(
                    [p.step for p in h],
                    [p.metrics["val_A"] for p in h],
                    [p.metrics["val_B"] for p in h],
                    [p.metrics["distance"] for p in h],
                    title=t("interview.mtl_title"),
                    x_title=t("common.step"),
                    loss_title=t("interview.val_loss"),
                    distance_title="‖θA − θB‖",
                    task_a=t("interview.task_a"),
                    task_b=t("interview.task_b"),
                ),
                width="stretch",
            )

        training_panel(
            "interview_mtl",
            lambda: (m := mt.MultiTaskModel(cfg), mt.train_multitask(m, mt.make_tasks(cfg))),
            max_seconds=30,
            live_view=_mtl_view,
        )
        qa_panel(["misc-08"])

if tabs[5].open:
    with tabs[5]:  # misc-11: noisy labels
        st.markdown(t("interview.noise_intro"))
        c = st.columns(4)
        noise = c[0].slider(t("interview.noise_rate"), 0.0, 0.8, 0.4, 0.05, key="interview_noise", **B)
        eps = c[1].slider(t("interview.eps"), 0.0, 0.6, 0.0, 0.05, key="interview_eps", **B)
        w2 = c[2].slider(t("interview.weight"), 0.1, 5.0, 1.0, 0.1, key="interview_w2", **B)
        spread = c[3].slider(t("interview.spread"), 0.3, 2.0, 1.0, 0.1, key="interview_spread", **B)
        st.caption(t("interview.suggest", eps=noise / 3, w=1 / max(1 - noise, 1e-3)))
        ncfg = ln.NoiseConfig(noise=noise, eps=eps, weights=(1.0, 1.0, w2), spread=spread)
        data = ln.make_data(ncfg)
        st.plotly_chart(
            vz.bars(
                ["A", "B", "C"],
                ln.smoothed_targets(data.y_true[2:3], eps)[0].tolist(),
                title=t("interview.target_title"),
                x_title=t("interview.class"),
                y_title=t("interview.target_prob"),
                y_range=(0, 1.1),
            ),
            width="stretch",
            key="interview_target",
        )
        job = training_panel(
            "interview_noise",
            lambda: (m := ln.Classifier(ncfg), ln.train_classifier(m, data)),
            max_seconds=30,
            metric="acc",
        )
        if job and job.usable:
            ev = ln.evaluate(job.model, data)
            c1, c2 = st.columns(2)
            c1.plotly_chart(
                vz.bars(
                    ["A", "B", "C"],
                    ev["recall"],
                    title=t("interview.recall_title", acc=ev["accuracy"]),
                    x_title=t("interview.class"),
                    y_title=t("interview.recall"),
                    y_range=(0, 1.1),
                ),
                width="stretch",
                key="interview_recall",
            )
            c2.plotly_chart(
                vz.reliability(
                    ev["bins"],
                    title=t("interview.rel_title", ece=ev["ece"]),
                    x_title=t("interview.confidence"),
                    y_title=t("interview.accuracy"),
                    ideal=t("interview.ideal"),
                ),
                width="stretch",
                key="interview_rel",
            )
        qa_panel(["misc-11"])
