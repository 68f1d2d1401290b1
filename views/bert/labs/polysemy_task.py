"""bert-13-2 lab: a word-sense task where the order of a cue and the ambiguous word decides the label. Mean-pooled
word2vec + logistic regression vs a fine-tuned tiny BERT over 5 seeds, and a minimal-pair probe (ptm-03)."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.labs.polysemy_task import (
    SENSES,
    WORDS,
    Comparison,
    PolysemyInputError,
    PolysemyTaskConfig,
    compare,
    make_sense_data,
    parse_sentence,
    predict_senses,
    probe,
)
from engine.pretrained.polysemy import cosine
from ui.code import show_code
from ui.i18n import t
from ui.training import InputError, training_panel
from ui.widgets import bound, chart, qa_panel
from viz.labs import polysemy_task as vz


def _err(e: PolysemyInputError) -> str:
    return t(f"lab_polysemy_task.err_{e.code}")


def _draw_seeds(job) -> None:
    res = list(job.model.results)
    if res and not job.finished:  # text while training: a chart redrawn every second takes CPU from training
        st.caption("  \n".join(t("lab_polysemy_task.live", seed=r.seed, w2v=r.w2v_acc, bert=r.bert_acc) for r in res))
    elif res:
        seeds = [r.seed for r in res]
        accs = {
            t("lab_polysemy_task.w2v"): [r.w2v_acc for r in res],
            t("lab_polysemy_task.bert"): [r.bert_acc for r in res],
        }
        chart(
            vz.seed_bars(
                seeds,
                accs,
                chance_name=t("lab_polysemy_task.chance"),
                title=t("lab_polysemy_task.bars_title"),
                x_title=t("lab_polysemy_task.seed_axis"),
                y_title=t("lab_polysemy_task.accuracy"),
            ),
            key="bert_poly_seeds",
            name="bert-13-2-accuracy-per-seed",
            data=pd.DataFrame({t("lab_polysemy_task.seed_axis"): seeds, **accs}),
        )


def render(corpus: str) -> None:
    lang = "zh" if corpus.endswith("_zh") else "en"
    word, senses = WORDS[lang]["word"], [t(f"lab_polysemy_task.sense_{s}") for s in SENSES[lang]]
    st.markdown(t("lab_polysemy_task.intro", word=word))
    c = st.columns(3)
    steps = bound(c[0].slider, t("lab_polysemy_task.steps"), 20, 600, 120, 10, key="bert_polysemy_task_steps")
    n_train = bound(c[1].slider, t("lab_polysemy_task.n_train"), 50, 2000, 400, 50, key="bert_polysemy_task_n")
    seed = bound(c[2].number_input, t("lab_polysemy_task.seed"), 0, 9999, 0, key="bert_polysemy_task_seed")
    cfg = PolysemyTaskConfig(lang=lang, steps=int(steps), n_train=int(n_train), seed=int(seed))
    sample = make_sense_data(PolysemyTaskConfig(lang=lang, n_train=16, n_val=16), int(seed))
    sep = "" if lang == "zh" else " "
    st.caption(
        t("lab_polysemy_task.examples")
        + "  \n"
        + "  \n".join(f"`{sep.join(s)}` → **{senses[y]}**" for s, y in zip(sample.sentences[:4], sample.labels))
    )

    def make_run():
        try:
            cmp = Comparison(cfg)
        except PolysemyInputError as e:
            raise InputError(_err(e)) from None
        return cmp, compare(cmp)

    job = training_panel("lab_polysemy_task", make_run, max_seconds=30, live_view=_draw_seeds)
    if job is not None and job.usable and job.model.results:
        res = job.model.results
        wins = sum(r.bert_acc >= r.w2v_acc for r in res)
        st.markdown(
            t(
                "lab_polysemy_task.result",
                bert=np.mean([r.bert_acc for r in res]),
                wins=wins,
                n=len(res),
                w2v=np.mean([r.w2v_acc for r in res]),
            )
        )
        st.subheader(t("lab_polysemy_task.probe_title"))
        st.markdown(t("lab_polysemy_task.probe_intro", word=word))
        first = res[0]
        if job.model.cfg.lang != lang:
            st.warning(t("lab_polysemy_task.other_lang"))
        else:
            c1, c2 = st.columns(2)
            texts = [
                bound(
                    c.text_input,
                    t(f"lab_polysemy_task.sent_{i}"),
                    t(f"lab_polysemy_task.default_{i}_{lang}"),
                    key=f"bert_polysemy_task_s{i}",
                    max_chars=2000,
                )
                for i, c in ((1, c1), (2, c2))
            ]
            try:
                parsed = [parse_sentence(x, first.data, lang, cfg.max_len - 2) for x in texts]
                vecs = [probe(first, *p) for p in parsed]
                kinds = [t("lab_polysemy_task.static"), t("lab_polysemy_task.contextual")]
                cos = [cosine(vecs[0][k], vecs[1][k]) for k in ("static", "contextual")]
                chart(
                    vz.cosine_bars(
                        kinds,
                        cos,
                        title=t("lab_polysemy_task.cos_title", word=word),
                        x_title=t("lab_polysemy_task.cosine"),
                        y_title=t("lab_polysemy_task.vector"),
                    ),
                    key="bert_poly_cosine",
                    name="bert-13-2-probe-cosine",
                    data=pd.DataFrame({t("lab_polysemy_task.vector"): kinds, t("lab_polysemy_task.cosine"): cos}),
                )
                for (words, pos), text in zip(parsed, texts):  # noqa: B007
                    p = predict_senses(first, words, pos)
                    st.markdown(
                        t(
                            "lab_polysemy_task.prediction",
                            text=sep.join(words),
                            sense=senses[1],
                            w2v=p["w2v"],
                            bert=p["bert"],
                        )
                    )
            except PolysemyInputError as e:
                st.warning(_err(e))
    show_code(
        probe, ["tests/engine/labs/test_lab_polysemy_task.py::test_static_vectors_equal_contextual_vectors_differ"]
    )
    show_code(
        compare,
        [
            "tests/engine/labs/test_lab_polysemy_task.py::test_bert_beats_mean_word2vec_in_four_of_five_seeds",
            "tests/engine/labs/test_lab_polysemy_task.py::test_bag_of_words_cannot_solve_the_task",
        ],
    )
    st.info(t("lab_polysemy_task.takeaway"))
    qa_panel(["bert-13-2"])
