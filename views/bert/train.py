"""Tab `train`: the tiny BERT pre-trained live on MLM + NSP, its top-k guesses for a query with [MASK] slots."""

import time

import streamlit as st
import torch

from engine.bert.model import BertInputError, TinyBert, TinyBertConfig, build_pretrain_data, predict_masked, train_bert
from engine.core.corpus import CorpusError
from ui.code import show_code
from ui.i18n import t
from ui.training import InputError, training_panel
from ui.widgets import bound, chart, history_frame, qa_panel
from views.bert.common import docs, error, text, wordpiece
from viz import bert as vz


@st.cache_resource(show_spinner=False, max_entries=8)  # keyed by widget values: bounded, or every seed adds ~20 MB
def _pretrain_data(name, max_len, seed):
    # read-only tensors shared by every session: they depend on the corpus and sequence length, not on the model
    return build_pretrain_data(docs(name), wordpiece(name), TinyBertConfig(max_len=max_len, seed=seed), n_pairs=10_000)


def _predictions(job, query):
    """The fragment polls every 0.5 s in the server process: redraw at most every 2 s, and keep this thread's
    torch to one OpenMP thread (a per-thread setting): two-thread inference here spin-waits on the cores the
    training thread needs and halved its speed in measurements."""
    torch.set_num_threads(1)
    cached = getattr(job, "bert_view", None)
    if cached is None or cached[0] != query or time.time() - cached[1] > 2.0 or job.finished:
        preds, err = [], None
        try:
            preds = predict_masked(job.model, query)
        except BertInputError as e:
            err = e
        job.bert_view = cached = (query, time.time(), preds, err)
    return cached[2], cached[3]


def _live_text(preds, hist):
    """While training: plain text, so the browser is not re-drawing charts twice a second."""
    st.markdown(
        "  \n".join(
            f"**{t('bert.slot')} {pos}:** " + " · ".join(f"`{w}` {p:.1%}" for w, p in top) for pos, top in preds
        )
    )
    if hist:
        m = hist[-1].metrics
        st.caption(t("bert.live_acc", acc=m["mlm_acc"], base=m["unigram_acc"], step=hist[-1].step))


def _show_predictions(job, query):
    preds, err = _predictions(job, query)
    if err is not None:
        error(err)
    hist = [h for h in job.history if "mlm_acc" in h.metrics]
    if not job.finished:
        _live_text(preds, hist)
        return
    if preds:
        chart(
            vz.topk_bars(
                preds,
                title=t("bert.topk_title"),
                x_title=t("bert.prob"),
                y_title=t("bert.candidate"),
                slot_label=t("bert.slot"),
            ),
            key="bert_topk",
            name="tiny-bert-top-k",
        )
    if hist:
        chart(
            vz.accuracy_curve(
                [h.step for h in hist],
                {
                    t("bert.mlm_acc"): [h.metrics["mlm_acc"] for h in hist],
                    t("bert.unigram"): [h.metrics["unigram_acc"] for h in hist],
                    t("bert.nsp_acc_name"): [h.metrics["nsp_acc"] for h in hist],
                },
                title=t("bert.acc_title"),
                x_title=t("common.step"),
                y_title=t("bert.accuracy"),
            ),
            key="bert_accuracy",
            name="tiny-bert-accuracy",
        )


def render(corpus: str) -> None:
    c = st.columns(4)
    hidden = bound(c[1].select_slider, t("bert.hidden"), [64, 128, 256], 128, key="bert_hidden")
    cfg = TinyBertConfig(
        layers=bound(c[0].slider, t("bert.layers"), 1, 4, 2, key="bert_layers"),
        hidden=hidden,
        intermediate=4 * hidden,
        lr=bound(c[2].select_slider, t("bert.lr"), [3e-4, 1e-3, 2e-3, 5e-3, 1e-2], 2e-3, key="bert_lr"),
        activation=bound(c[3].radio, t("bert.act"), ["gelu", "relu"], key="bert_act", horizontal=True),
    )
    query = text("bert.query", "bert_query", t("bert.default_query"))
    st.caption(t("bert.train_note", corpus=corpus))

    def make_run():
        try:
            cfg.validate()
            model = TinyBert(cfg, wordpiece(corpus))
            model.corpus = corpus
            return model, train_bert(model, _pretrain_data(corpus, cfg.max_len, cfg.seed))
        except (BertInputError, CorpusError) as e:
            raise InputError(t(f"bert.err_{getattr(e, 'code', 'bad')}")) from None

    job = training_panel(
        "bert", make_run, max_seconds=60, live_view=lambda j: _show_predictions(j, query), metric="mlm_acc"
    )
    if job is not None and job.usable:
        hist = [h for h in job.history if "mlm_loss" in h.metrics]
        chart(
            vz.loss_parts(
                [h.step for h in hist],
                [h.metrics["mlm_loss"] for h in hist],
                [h.metrics["nsp_loss"] for h in hist],
                [h.metrics["lr"] for h in hist],
                names={k: t(f"bert.loss_{k}") for k in ("mlm", "nsp", "lr")},
                title=t("bert.loss_title"),
                x_title=t("common.step"),
                y_title=t("common.loss"),
            ),
            key="bert_loss_parts",
            name="tiny-bert-training",
            data=history_frame(job.history, step=t("common.step"), loss=t("common.loss")),
        )
    show_code(
        TinyBert,
        [
            "tests/engine/bert/test_bert.py::test_loss_equals_bert_for_pretraining_loss",
            "tests/engine/bert/test_bert.py::test_short_training_beats_the_unigram_baseline",
        ],
    )
    qa_panel(["bert-04", "bert-05", "bert-06-1", "bert-13-2"])
