"""Tab `similarity`: sentence similarity with MiniLM on labelled pairs: three poolings, a threshold, ROC curves."""

from pathlib import Path

import streamlit as st

from engine.pretrained.minilm import POOLINGS, auc, cosine_pairs, embed, load_pairs, roc_points, threshold_accuracy
from ui.code import show_code
from ui.i18n import t, tl
from ui.predict import answered, predict_then_see
from ui.widgets import bound, chart, qa_panel
from views.bert.common import minilm
from viz import bert as vz

PAIRS = Path(__file__).resolve().parents[2] / "assets" / "corpora" / "similarity_pairs_en.tsv"


@st.cache_data(show_spinner=False)
def _scores():
    tok, model = minilm()
    a, b, y = load_pairs(PAIRS)
    return {p: cosine_pairs(embed(tok, model, a, p), embed(tok, model, b, p)) for p in POOLINGS}, y


def _similarity():
    with st.spinner(t("bert.scoring")):  # here, not in the decorator: the text follows the session's language
        return _scores()


def best_pooling(aucs: dict[str, float]) -> set[str]:
    """The prompt's truth: the pooling(s) with the highest ROC AUC (engine.pretrained.minilm.auc)."""
    top = max(aucs.values())
    return {p for p, a in aucs.items() if a >= top - 1e-12}


def _auc_numbers(aucs: dict[str, float]) -> None:
    for col, p in zip(st.columns(len(POOLINGS)), POOLINGS):
        col.metric(t("predict.bert_pooling.auc", name=t(f"predict.bert_pooling.{p}")), f"{aucs[p]:.3f}")


def _similarity_charts(scores: dict, y, pick: int, thr: float) -> None:
    """The histogram and accuracy of the chosen sentence vector (switching it compares them) and the ROC curves with
    every AUC in their legend: they answer the prompt, so they are drawn once it is answered."""
    names = tl("bert.poolings")
    s = scores[POOLINGS[pick]]
    c1, c2 = st.columns(2)
    chart(
        vz.similarity_hist(
            s,
            y,
            thr,
            names=tl("bert.pair_classes"),
            title=t("bert.hist_title"),
            x_title=t("bert.cosine"),
            y_title=t("bert.count"),
        ),
        key="bert_similarity_hist",
        name="minilm-similarity-histogram",
        on=c1,
    )
    chart(
        vz.roc_curves(
            {names[i]: (*roc_points(scores[p], y), auc(scores[p], y)) for i, p in enumerate(POOLINGS)},
            title=t("bert.roc_title"),
            x_title=t("bert.fpr"),
            y_title=t("bert.tpr"),
        ),
        key="bert_similarity_roc",
        name="minilm-similarity-roc",
        on=c2,
    )
    st.markdown(t("bert.sim_result", acc=threshold_accuracy(s, y, thr), auc=auc(s, y), n=len(y)))


def render(corpus: str) -> None:  # the pairs are a fixed English set: the page's corpus is not used
    st.markdown(t("bert.sim_intro"))
    scores, y = _similarity()
    names = tl("bert.poolings")
    aucs = {p: auc(scores[p], y) for p in POOLINGS}
    predict_then_see(  # the histogram, the ROC curves and the accuracy line answer it: drawn once it is answered
        "bert_pooling",
        t("predict.bert_pooling.prompt", n=len(y)),
        {p: t(f"predict.bert_pooling.{p}") for p in POOLINGS},  # neutral names: bert.poolings hints the answer
        best_pooling(aucs),
        topic="bert",
        reveal=lambda: _auc_numbers(aucs),
        explain=t("predict.bert_pooling.why"),
    )
    pick = bound(
        st.radio, t("bert.pooling"), [0, 1, 2], format_func=lambda i: names[i], key="bert_pool", horizontal=True
    )
    thr = bound(st.slider, t("bert.threshold"), -1.0, 1.0, 0.5, 0.05, key="bert_thr")
    if answered("bert_pooling"):  # below the settings they follow, so outside the prompt's reveal
        _similarity_charts(scores, y, pick, thr)
    show_code(auc, ["tests/engine/pretrained/test_minilm.py::test_auc_matches_sklearn_and_ignores_shifts"])
    show_code(
        embed,
        [
            "tests/engine/pretrained/test_minilm.py::test_mean_pooling_is_the_sentence_transformers_embedding",
            "tests/engine/pretrained/test_minilm.py::test_labelled_pairs_rank_better_with_mean_pooling",
        ],
    )
    qa_panel(["bert-14"])
