"""Tab `taggers` (?seq_tab=taggers): the HMMs, and a CRF and an MEMM trained live on a slice of People's Daily (the
same character templates, L-BFGS like CRFsuite), tag the same sentence; their path probabilities and held-out word F1.
The CRF trained on the whole training split against CRFsuite is bench/results/crf.md (FULL_CRF)."""

import pandas as pd
import streamlit as st

from engine.sequence import feature_crf as F
from engine.sequence import hmm as H
from engine.sequence import memm as M
from ui.code import show_code
from ui.i18n import t
from ui.predict import answered, predict_then_see
from ui.training import training_panel
from ui.widgets import bound, chart, figure
from views.sequence_labeling.common import (
    EVAL_LINES,
    FULL_CRF,
    LIVE_CAP_S,
    TRELLIS_CHARS,
    axes,
    corpus,
    held_out_f1,
    hmm_f1,
    ids_to_tags,
    tt,
)
from viz import sequence as V


def render(text: str) -> None:
    train, _, mle, jieba = corpus()
    st.markdown(tt("three_intro"))
    size = bound(st.number_input, tt("pd_lines"), 100, 5000, 1500, step=100, key="seq_pd_lines")

    def make_pd():  # one FeatureIndex for both, fitted on the slice (a fraction of a second)
        return M.train_crf_and_memm(train[: int(size)])

    pd_job = training_panel("seq_pd", make_pd, max_seconds=LIVE_CAP_S, metric="memm")
    st.caption(tt("live_note", lines=int(size), cap=LIVE_CAP_S, total=len(train), **FULL_CRF))
    taggers = {"HMM (MLE)": mle, "HMM (jieba)": jieba}
    if pd_job is not None and pd_job.usable:
        trained = {m.kind.upper(): m for m in pd_job.model}
        if memm_vs_crf(text, trained, pd_job.started):  # their cuts are drawn once the learner has guessed
            taggers.update(trained)
    table = {tt("char"): list(text[:TRELLIS_CHARS])}
    for name, m in taggers.items():
        if isinstance(m, H.HMM):  # log P(tags | sentence) = log P(tags, sentence) - log P(sentence)
            tags = H.words_to_tags(m.segment(text, han_only=m is jieba))
            logp = m.path_score(text, ["BMES".index(x) for x in tags]) - m.forward(text)[1]
        else:
            path = m.predict([text])[0]
            tags, logp = ids_to_tags(path), m.path_logprob(text, path)
        table[name] = list(tags[:TRELLIS_CHARS])
        st.markdown(f"**{name}** · {' / '.join(H.tags_to_words(text, tags))} · {tt('path_logp', logp=logp)}")
    st.dataframe(pd.DataFrame(table).T, width="stretch")
    f1 = dict(hmm_f1())
    if pd_job is not None and pd_job.usable:
        key = f"seq_f1_{pd_job.started}"  # scored once per trained pair, kept in this session
        if key not in st.session_state:
            st.session_state[key] = {m.kind.upper(): held_out_f1(m) for m in pd_job.model}
        f1.update(st.session_state[key])
    chart(figure(V.bars, list(f1), list(f1.values()), **axes("f1")), key="seq_f1", name="tagger-word-f1")
    st.caption(tt("f1_note", n=EVAL_LINES))
    st.markdown(tt("comparison"))
    show_code(
        F.forward_backward,
        [
            "tests/engine/sequence/test_feature_crf.py::test_forward_backward_and_viterbi_equal_brute_force",
            "tests/engine/sequence/test_feature_crf.py::"
            "test_same_weights_as_crfsuite_give_the_same_paths_probabilities_and_objective",
            "tests/engine/sequence/test_feature_crf.py::test_training_reaches_crfsuites_optimum",
            "tests/engine/sequence/test_feature_crf.py::test_memm_is_a_logistic_regression_per_position",
        ],
    )


def memm_vs_crf(text: str, trained: dict, started: float) -> bool:
    """Predict, then see: do the live MEMM and CRF cut this sentence the same way? The truth is their Viterbi paths;
    True once answered (then their rows are drawn)."""
    cuts = {k: H.tags_to_words(text, ids_to_tags(m.predict([text])[0])) for k, m in trained.items()}
    same = cuts["MEMM"] == cuts["CRF"]
    variant = (text, started)  # another sentence or another trained pair is another question

    def reveal():
        differ = sum(a != b for a, b in zip(*(ids_to_tags(trained[k].predict([text])[0]) for k in ("MEMM", "CRF"))))
        st.metric(t("predict_seq.memm_crf.differ_chars"), differ)

    predict_then_see(
        "seq_memm_crf",
        t("predict_seq.memm_crf.prompt"),
        {"same": t("predict_seq.memm_crf.same"), "differ": t("predict_seq.memm_crf.differ")},
        "same" if same else "differ",
        topic="misc",
        reveal=reveal,
        explain=t("predict_seq.memm_crf.why"),
        variant=variant,
    )
    return answered("seq_memm_crf", variant)
