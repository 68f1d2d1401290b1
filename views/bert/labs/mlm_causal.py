"""Lab bert-06-1 / 07-3 / 08: the tiny BERT (masked LM) vs a causal LM on the same pieces; edit the right context."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.bert.causal_lm import CausalInputError, CausalLM, CausalLMConfig, build_lm_data, train_causal_lm
from engine.bert.model import TinyBert, TinyBertConfig
from engine.core.corpus import LANG, CorpusError
from engine.labs.mlm_causal import compare, top_k, variants
from ui import resources
from ui.code import show_code
from ui.i18n import t, tl
from ui.training import InputError, get_job, training_panel
from ui.widgets import bound, chart, qa_panel
from viz.labs import mlm_causal as vz

NS = "lab_mlm_causal"


def _t(key, **kw):
    return t(f"{NS}.{key}", **kw)


_docs = resources.bert_documents  # the BERT page's documents and vocabulary, so the two models agree


@st.cache_resource(show_spinner=False, max_entries=4)
def _fresh(corpus):
    """Read-only untrained, seeded models on the corpus's WordPiece vocabulary (the BERT page's recipe)."""
    tok = resources.bert_wordpiece(corpus)
    return TinyBert(TinyBertConfig(), tok), CausalLM(CausalLMConfig(), tok)


@st.cache_resource(show_spinner=False, max_entries=4)
def _lm_data(corpus, vocab_size, _tok):
    return build_lm_data(_docs(corpus), _tok, CausalLMConfig().max_len)


def _models(corpus):
    """(mlm, causal LM, corpus, mlm trained?, causal trained?): the session's models when they share a vocabulary,
    else seeded untrained stand-ins (the wiring alone already decides who can see what)."""
    job = get_job("bert")
    mlm_ok = job is not None and job.usable and job.finished
    if mlm_ok:
        corpus = getattr(job.model, "corpus", corpus)
    bert, lm = _fresh(corpus)
    if mlm_ok:
        bert = job.model
    vocab = bert.tokenizer.get_vocab()
    cjob = get_job("lab_mlm_causal")
    lm_ok = cjob is not None and cjob.usable and cjob.finished and cjob.model.tokenizer.get_vocab() == vocab
    if lm_ok:
        lm = cjob.model
    elif lm.tokenizer.get_vocab() != vocab:
        lm = CausalLM(CausalLMConfig(), bert.tokenizer)
    return bert, lm, corpus, mlm_ok, lm_ok


def _live(job):
    accs = [h.metrics for h in job.history if "acc" in h.metrics]
    if accs:
        st.caption(_t("live", acc=accs[-1]["acc"], base=accs[-1]["unigram_acc"]))


def render(corpus: str) -> None:
    st.markdown(_t("intro"))
    zh = LANG.get(corpus) == "zh"
    text = bound(
        st.text_input,
        _t("sentence"),
        _t("default_zh" if zh else "default_en"),
        key="bert_mlm_causal_text",
        max_chars=600,
    )
    c = st.columns([1, 3])
    pos = int(bound(c[0].number_input, _t("position"), 0, 100, 3, key="bert_mlm_causal_pos") or 0)
    right = bound(
        c[1].text_input, _t("right"), _t("right_zh" if zh else "right_en"), key="bert_mlm_causal_right", max_chars=600
    )
    try:
        bert, lm, lm_corpus, mlm_ok, lm_ok = _models(corpus)
    except (CorpusError, ValueError):
        st.warning(_t("err_corpus"))
        return
    st.caption(_t("mlm_trained", corpus=lm_corpus) if mlm_ok else _t("mlm_untrained", corpus=corpus))

    def make_run():
        tok = bert.tokenizer
        try:
            data = _lm_data(lm_corpus, len(tok), tok)
        except (CausalInputError, CorpusError):
            raise InputError(_t("err_corpus")) from None
        model = CausalLM(CausalLMConfig(), tok)
        return model, train_causal_lm(model, data)

    job = training_panel("lab_mlm_causal", make_run, max_seconds=30, live_view=_live, metric="acc")
    if job is not None and job.finished and not lm_ok:
        st.info(_t("retrain"))
    st.caption(_t("lm_trained") if lm_ok else _t("lm_untrained"))
    try:
        _compare(bert, lm, variants(bert.tokenizer, text, pos, right, bert.cfg.max_len))
    except CausalInputError as e:
        st.warning(_t(f"err_{e.code}", n=bert.cfg.max_len - 2))
    show_code(
        CausalLM,
        [
            "tests/engine/labs/test_lab_mlm_causal.py::test_short_causal_run_beats_the_unigram_baseline",
            "tests/engine/labs/test_lab_mlm_causal.py::test_causal_mask_is_tril_and_weights_above_the_diagonal_are_zero",
        ],
    )
    show_code(
        compare,
        [
            "tests/engine/labs/test_lab_mlm_causal.py::test_right_context_edit_moves_the_mlm_never_the_causal_lm",
            "tests/engine/labs/test_lab_mlm_causal.py::test_autograd_mlm_depends_on_the_right_the_causal_lm_does_not",
        ],
    )
    qa_panel(["bert-06-1", "bert-07-3", "bert-08"])


def _compare(bert, lm, v):
    tok, r = bert.tokenizer, compare(bert, lm, v)
    st.markdown(
        _t(
            "shown",
            left=_join(v.pieces[: v.position]),
            target=v.target,
            orig=_join(v.pieces[v.position + 1 :]),
            new=_join(v.edited_pieces[v.position + 1 :]),
        )
    )
    versions, d = tl(f"{NS}.versions"), r["dist"]
    for col, m, colour in zip(st.columns(2), ("mlm", "causal"), vz.MODEL_COLOURS):
        col.metric(
            _t(f"name_{m}"),
            _t("changed") if r["delta"][m] > 0 else _t("unchanged"),
            _t("delta", d=r["delta"][m]),
            delta_color="off",
            delta_arrow="off",
        )
        tops = {versions[0]: top_k(d[f"{m}_original"], tok), versions[1]: top_k(d[f"{m}_edited"], tok)}
        chart(
            vz.topk_pair(tops, title=_t(f"top_{m}"), x_title=_t("prob"), y_title=_t("piece"), colour=colour),
            key=f"lab_mlm_causal_top_{m}",
            name=f"bert-06-1-top5-{m}",
            on=col,
        )
    n = r["n"]
    labels = [f"{j}·{w}" for j, w in enumerate(tok.convert_ids_to_tokens(v.original[0, :n].tolist()))]
    masks = {_t("mask_causal"): lm.mask(v.original[:, :n])[0, 0].numpy(), _t("mask_full"): np.ones((n, n), bool)}
    chart(
        vz.mask_grid(
            masks, labels, title=_t("mask_title"), x_title=_t("key_j"), y_title=_t("query_i"), row=v.position + 1
        ),
        key="lab_mlm_causal_masks",
        name="bert-07-3-masks",
    )
    chart(
        vz.influence_bars(
            {_t(f"name_{k}"): r["influence"][k] for k in ("mlm", "causal")},
            labels,
            position=v.position + 1,
            title=_t("grad_title"),
            x_title=_t("input_j"),
            y_title=_t("grad"),
            hidden_label=_t("hidden"),
        ),
        key="lab_mlm_causal_grad",
        name="bert-06-1-gradients",
        data=pd.DataFrame({_t("input_j"): labels, **{_t(f"name_{k}"): r["influence"][k] for k in ("mlm", "causal")}}),
    )
    st.success(_t("takeaway", mlm=r["right_max"]["mlm"], causal=r["right_max"]["causal"]))


def _join(pieces):
    return " ".join(pieces) or "∅"
