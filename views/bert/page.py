"""BERT: WordPiece input, the 15% / 80-10-10 masking recipe, NSP, a tiny BERT pre-trained live, real attention
heads and sentence similarity with MiniLM, ELMo vs GPT vs BERT visibility, BERT / ALBERT sizes."""

import time
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
import torch

from engine.bert.masking import binomial_halfwidth, sample_masks
from engine.bert.model import (
    BertInputError,
    TinyBert,
    TinyBertConfig,
    attentions,
    build_pretrain_data,
    embedding_parts,
    encode_pair,
    predict_masked,
    train_bert,
)
from engine.bert.nsp import IS_NEXT, nsp_pairs
from engine.bert.visibility import dependency
from engine.core.corpus import CorpusError
from engine.pretrained.minilm import (
    POOLINGS,
    auc,
    cosine_pairs,
    embed,
    load_minilm_tokenizer,
    load_pairs,
    minilm_attentions,
    roc_points,
    threshold_accuracy,
)
from engine.transformer.param_count import PRESETS, Shape, bert_parts
from ui import resources
from ui.i18n import current_lang, t, tl
from ui.tabs import url_select, url_tabs
from ui.training import InputError, get_job, training_panel
from ui.widgets import chart, history_frame, matrix_frame, qa_panel
from views.bert import labs
from viz import bert as vz

URL = dict(bind="query-params")
PAIRS = Path(__file__).resolve().parents[2] / "assets" / "corpora" / "similarity_pairs_en.tsv"
CORPORA = ("news_en", "peoples_daily_zh", "toy_en", "toy_zh")
FATES = lambda: [t(f"bert.fate_{k}") for k in ("context", "masked", "random", "unchanged")]  # noqa: E731


_docs = resources.bert_documents  # read-only, shared with the labs
_wordpiece = resources.bert_wordpiece


@st.cache_resource(show_spinner=False, max_entries=8)  # keyed by widget values: bounded, or every seed adds ~20 MB
def _pretrain_data(name, max_len, seed):
    # read-only tensors shared by every session: they depend on the corpus and sequence length, not on the model
    return build_pretrain_data(
        _docs(name), _wordpiece(name), TinyBertConfig(max_len=max_len, seed=seed), n_pairs=10_000
    )


def _minilm():
    with st.spinner(t("bert.loading_minilm")):
        return resources.minilm()  # read-only, shared with the pretrained-models page


@st.cache_resource(show_spinner=False, max_entries=64)
def _figure(name: str, *args, **kwargs):
    """viz.bert.<name>(...) built once per input and shared read-only (a four-panel figure is ~50 ms of plotly
    validation: every rerun of the first tab rebuilt it)."""
    return getattr(vz, name)(*args, **kwargs)


@st.cache_resource(show_spinner=False)
def _minilm_tok():
    return load_minilm_tokenizer()


@st.cache_data(show_spinner=t("bert.scoring"))
def _similarity():
    tok, model = _minilm()
    a, b, y = load_pairs(PAIRS)
    return {p: cosine_pairs(embed(tok, model, a, p), embed(tok, model, b, p)) for p in POOLINGS}, y


def _model(corpus):
    """The session's trained tiny BERT if there is one, else a fresh (untrained) one with the same vocabulary."""
    job = get_job("bert")
    if job is not None and job.model is not None:
        return job.model, bool(job.history) and job.status != "error"
    return TinyBert(TinyBertConfig(), _wordpiece(corpus)), False


def _error(e: Exception):
    st.warning(t(f"bert.err_{getattr(e, 'code', 'bad')}"))


def _text(label, key, default, area=False):
    box = st.text_area if area else st.text_input
    value = box(t(label), value=default, key=key, max_chars=2000, **URL)
    return (value or "").strip()


lang = current_lang()
st.title(t("bert.title"))
st.markdown(t("bert.intro"))
default_corpus = "peoples_daily_zh" if lang == "zh" else "news_en"
corpus = st.selectbox(t("bert.corpus"), CORPORA, index=CORPORA.index(default_corpus), key="bert_corpus", **URL)
TAB_CODES = ("input", "masking", "nsp", "train", "attention", "similarity", "sizes", "elmo-gpt-bert", "labs")
tabs = url_tabs("bert_tab", TAB_CODES, tl("bert.tabs"))  # ?bert_tab=labs opens the labs

if tabs[0].open:  # ---------------------------------------------------------- input representation
    with tabs[0]:
        c1, c2 = st.columns(2)
        with c1:
            a = _text("bert.sent_a", "bert_a", t("bert.default_a"))
        with c2:
            b = _text("bert.sent_b", "bert_b", t("bert.default_b"))
        try:
            model, trained = _model(corpus)
            enc = encode_pair(model.tokenizer, a, b, model.cfg.max_len)
            ref = encode_pair(_minilm_tok(), a, b, 128)
            st.caption(t("bert.vocab_ours", corpus=getattr(model, "corpus", corpus), size=len(model.tokenizer)))
            rows = [enc["tokens"], enc["input_ids"], enc["token_type_ids"], enc["position_ids"]]
            st.dataframe(pd.DataFrame([[str(v) for v in r] for r in rows], index=tl("bert.enc_rows")), width="stretch")
            st.caption(t("bert.vocab_real"))
            st.dataframe(
                pd.DataFrame([ref["tokens"], [str(v) for v in ref["token_type_ids"]]], index=tl("bert.enc_rows_real")),
                width="stretch",
            )
            names = {k: t(f"bert.part_{k}") for k in ("token", "segment", "position", "sum")}
            st.plotly_chart(
                _figure(
                    "embedding_parts",
                    embedding_parts(model, enc),
                    enc["tokens"],
                    names,
                    x_title=t("bert.dim"),
                    title=t("bert.parts_title" if trained else "bert.parts_untrained"),
                ),
                width="stretch",
            )
        except (BertInputError, CorpusError, ValueError) as e:
            _error(e)
        qa_panel(["bert-01", "bert-02", "bert-03"])

if tabs[1].open:  # ---------------------------------------------------------- masking recipe
    with tabs[1]:
        text = _text("bert.mask_sentence", "bert_mtext", t("bert.default_mask_sentence"))
        c = st.columns(4)
        p = c[0].slider(t("bert.p_select"), 0.05, 0.5, 0.15, 0.01, key="bert_p", **URL)
        rep = c[1].slider(t("bert.p_mask"), 0.0, 1.0, 0.8, 0.05, key="bert_rep", **URL)
        rnd = c[2].slider(t("bert.p_random"), 0.0, 1.0, 0.1, 0.05, key="bert_rnd", **URL)
        exact = c[3].toggle(t("bert.exact"), key="bert_exact", **URL)
        if st.button(t("bert.resample"), key="bert_resample"):
            st.session_state["bert_seed"] = st.session_state.get("bert_seed", 0) + 1
        seed = st.session_state.get("bert_seed", 0)
        try:
            if rep + rnd > 1.0 + 1e-9:
                raise BertInputError("split", "")
            if not text:
                raise BertInputError("empty", "")
            tok = _wordpiece(corpus)
            s = sample_masks(
                tok, text[:500], 1000, probability=p, replace_prob=rep, random_prob=rnd, exact=exact, seed=seed
            )
            st.plotly_chart(
                vz.masking_grid(
                    s["seen"][:10],
                    s["fates"][:10],
                    FATES(),
                    title=t("bert.grid_title"),
                    x_title=t("bert.position"),
                    y_title=t("bert.sample"),
                ),
                width="stretch",
            )
            sh, keep, V = s["shares"], max(0.0, 1 - rep - rnd), len(tok)
            emp = [sh["chosen"], sh["masked"], sh["random"], sh["unchanged"]]
            ns = [s["n_words"]] + [s["n_target"]] * 3
            st.plotly_chart(
                vz.share_bars(
                    tl("bert.share_names"),
                    emp,
                    [p, rep, rnd * (1 - 1 / V), keep + rnd / V],
                    [binomial_halfwidth(v, n) for v, n in zip(emp, ns)],
                    title=t("bert.shares_title", n=s["n_words"] // 1000),
                    y_title=t("bert.share"),
                    x_title=t("bert.share_x"),
                    empirical_name=t("bert.measured"),
                    target_name=t("bert.target"),
                ),
                width="stretch",
            )
            st.info(
                t("bert.why_only_mask")
                if rep >= 0.999
                else t("bert.why_no_random")
                if rnd == 0
                else t("bert.why_801010", all_random=p * rnd, all_keep=p * keep, all_mask=p * rep, rest=1 - p)
            )
            st.subheader(t("bert.wwm_title"))
            for src, sent, mode in [
                ("news_en", t("bert.wwm_en"), "pieces"),
                ("peoples_daily_zh", t("bert.wwm_zh"), "jieba"),
            ]:
                for ww, label in ((None, "bert.wwm_piece"), (mode, "bert.wwm_word")):
                    m = sample_masks(_wordpiece(src), sent, 6, probability=0.3, seed=seed, whole_word=ww)
                    st.plotly_chart(
                        vz.masking_grid(
                            m["seen"],
                            m["fates"],
                            FATES(),
                            title=t(label),
                            legend=False,
                            x_title=t("bert.position"),
                            y_title=t("bert.sample"),
                        ),
                        width="stretch",
                        key=f"wwm_{src}_{ww}",
                    )
        except (BertInputError, CorpusError, ValueError) as e:
            _error(e)
        qa_panel(["bert-06-2", "bert-11", "bert-12", "bert-06-3", "bert-06-1"])

if tabs[2].open:  # ---------------------------------------------------------- NSP
    with tabs[2]:
        try:
            pairs = nsp_pairs(_docs(corpus), 10_000, np.random.default_rng(0))
            share = float(np.mean([q.label == IS_NEXT for q in pairs]))
            st.metric(
                t("bert.isnext_share"),
                f"{share:.1%}",
                t("bert.ci", ci=binomial_halfwidth(share, len(pairs))),
                delta_color="off",
            )
            st.dataframe(
                pd.DataFrame(
                    [
                        (q.a[:150], q.b[:150], t("bert.isnext" if q.label == IS_NEXT else "bert.notnext"))
                        for q in pairs[:10]
                    ],
                    columns=tl("bert.nsp_cols"),
                ),
                width="stretch",
            )
        except (CorpusError, ValueError) as e:
            _error(e)
        job = get_job("bert")
        accs = [h.metrics["nsp_acc"] for h in job.history if "nsp_acc" in h.metrics] if job else []
        st.markdown(t("bert.nsp_acc", acc=accs[-1]) if accs else t("bert.nsp_untrained"))
        qa_panel(["bert-04", "bert-05"])

if tabs[3].open:  # ---------------------------------------------------------- train the tiny BERT live
    with tabs[3]:
        c = st.columns(4)
        hidden = c[1].select_slider(t("bert.hidden"), [64, 128, 256], 128, key="bert_hidden", **URL)
        cfg = TinyBertConfig(
            layers=c[0].slider(t("bert.layers"), 1, 4, 2, key="bert_layers", **URL),
            hidden=hidden,
            intermediate=4 * hidden,
            lr=c[2].select_slider(t("bert.lr"), [3e-4, 1e-3, 2e-3, 5e-3, 1e-2], 2e-3, key="bert_lr", **URL),
            activation=c[3].radio(t("bert.act"), ["gelu", "relu"], key="bert_act", horizontal=True, **URL),
        )
        query = _text("bert.query", "bert_query", t("bert.default_query"))
        st.caption(t("bert.train_note", corpus=corpus))

        def show_predictions(job):
            # the fragment polls every 0.5 s in the server process: redraw at most every 2 s, and keep this thread's
            # torch to one OpenMP thread (a per-thread setting): two-thread inference here spin-waits on the cores
            # the training thread needs and halved its speed in measurements
            torch.set_num_threads(1)
            cached = getattr(job, "bert_view", None)
            if cached is None or cached[0] != query or time.time() - cached[1] > 2.0 or job.finished:
                preds, err = [], None
                try:
                    preds = predict_masked(job.model, query)
                except BertInputError as e:
                    err = e
                job.bert_view = cached = (query, time.time(), preds, err)
            _, _, preds, err = cached
            if err is not None:
                _error(err)
            hist = [h for h in job.history if "mlm_acc" in h.metrics]
            if not job.finished:  # while training: plain text, so the browser is not re-drawing charts twice a second
                st.markdown(
                    "  \n".join(
                        f"**{t('bert.slot')} {pos}:** " + " · ".join(f"`{w}` {p:.1%}" for w, p in top)
                        for pos, top in preds
                    )
                )
                if hist:
                    st.caption(
                        t(
                            "bert.live_acc",
                            acc=hist[-1].metrics["mlm_acc"],
                            base=hist[-1].metrics["unigram_acc"],
                            step=hist[-1].step,
                        )
                    )
                return
            if preds:
                st.plotly_chart(
                    vz.topk_bars(
                        preds,
                        title=t("bert.topk_title"),
                        x_title=t("bert.prob"),
                        y_title=t("bert.candidate"),
                        slot_label=t("bert.slot"),
                    ),
                    width="stretch",
                )
            if hist:
                st.plotly_chart(
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
                    width="stretch",
                )

        def make_run():
            try:
                cfg.validate()
                model = TinyBert(cfg, _wordpiece(corpus))
                model.corpus = corpus
                return model, train_bert(model, _pretrain_data(corpus, cfg.max_len, cfg.seed))
            except (BertInputError, CorpusError) as e:
                raise InputError(t(f"bert.err_{getattr(e, 'code', 'bad')}")) from None

        job = training_panel("bert", make_run, max_seconds=60, live_view=show_predictions, metric="mlm_acc")
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
        qa_panel(["bert-04", "bert-05", "bert-06-1", "bert-13-2"])

if tabs[4].open:  # ---------------------------------------------------------- attention heads
    with tabs[4]:
        text = _text("bert.att_text", "bert_att", t("bert.default_att"))
        att_models = tl("bert.att_models")  # fixed here: AppTest re-formats options outside the script thread
        which = st.radio(
            t("bert.att_model"), [0, 1], format_func=lambda i: att_models[i], key="bert_attm", horizontal=True, **URL
        )
        try:
            if which == 1:
                tokens, att = minilm_attentions(*_minilm(), text[:1000])
            else:
                model, trained = _model(corpus)
                tokens, att = attentions(model, text[:1000])
                if not trained:
                    st.caption(t("bert.att_untrained"))
            st.plotly_chart(
                vz.attention_grid(
                    att, tokens, title=t("bert.grid_heads"), layer_label=t("bert.layer"), head_label=t("bert.head")
                ),
                width="stretch",
            )
            c1, c2 = st.columns(2)
            layer = c1.slider(t("bert.layer"), 0, att.shape[0] - 1, 0, key="bert_layer") if att.shape[0] > 1 else 0
            head = c2.slider(t("bert.head"), 0, att.shape[1] - 1, 0, key="bert_head") if att.shape[1] > 1 else 0
            chart(
                vz.head_view(att[layer, head], tokens, title=t("bert.head_view", layer=layer, head=head)),
                key="bert_head_view",
                name=f"bert-attention-L{layer}-H{head}",
                data=matrix_frame(att[layer, head], tokens, tokens, corner=t("bert.query_token")),
            )
        except (BertInputError, CorpusError, ValueError) as e:
            _error(e)
        qa_panel(["bert-01", "bert-03"])

if tabs[5].open:  # ---------------------------------------------------------- similarity with MiniLM
    with tabs[5]:
        st.markdown(t("bert.sim_intro"))
        scores, y = _similarity()
        names = tl("bert.poolings")
        pick = st.radio(
            t("bert.pooling"), [0, 1, 2], format_func=lambda i: names[i], key="bert_pool", horizontal=True, **URL
        )
        thr = st.slider(t("bert.threshold"), -1.0, 1.0, 0.5, 0.05, key="bert_thr", **URL)
        s = scores[POOLINGS[pick]]
        c1, c2 = st.columns(2)
        c1.plotly_chart(
            vz.similarity_hist(
                s,
                y,
                thr,
                names=tl("bert.pair_classes"),
                title=t("bert.hist_title"),
                x_title=t("bert.cosine"),
                y_title=t("bert.count"),
            ),
            width="stretch",
        )
        c2.plotly_chart(
            vz.roc_curves(
                {names[i]: (*roc_points(scores[p], y), auc(scores[p], y)) for i, p in enumerate(POOLINGS)},
                title=t("bert.roc_title"),
                x_title=t("bert.fpr"),
                y_title=t("bert.tpr"),
            ),
            width="stretch",
        )
        st.markdown(t("bert.sim_result", acc=threshold_accuracy(s, y, thr), auc=auc(s, y), n=len(y)))
        qa_panel(["bert-14"])

if tabs[6].open:  # ---------------------------------------------------------- sizes: BERT vs ALBERT
    with tabs[6]:
        c = st.columns(5)
        L = c[0].number_input(t("bert.L"), 1, 48, 12, key="bert_L", **URL)
        H = c[1].number_input(t("bert.H"), 64, 4096, 768, 64, key="bert_H", **URL)
        A = c[2].number_input(t("bert.A"), 1, 64, 12, key="bert_A", **URL)
        V = c[3].number_input(t("bert.V"), 100, 250_000, 30522, key="bert_V", **URL)
        E = c[4].number_input(t("bert.E"), 16, 4096, 128, 16, key="bert_E", **URL)
        if H % A:
            st.warning(t("bert.err_heads"))
        else:
            shapes = {
                "BERT": Shape(vocab=V, hidden=H, layers=L, heads=A),
                "ALBERT": Shape(vocab=V, hidden=H, layers=L, heads=A, embedding=E, shared=True),
                t("bert.albert_noshare"): Shape(vocab=V, hidden=H, layers=L, heads=A, embedding=E),
            }
            parts = {k: bert_parts(v) for k, v in shapes.items()}
            st.plotly_chart(
                vz.param_bars(
                    parts,
                    {k: t(f"bert.pp_{k}") for k in parts["ALBERT"]},
                    title=t("bert.params_title"),
                    y_title=t("bert.params"),
                    x_title=t("bert.model_axis"),
                ),
                width="stretch",
            )
            st.dataframe(
                pd.DataFrame(
                    {
                        k: [f"{bert_parts(s)[p]:,}" if p in bert_parts(s) else "" for p in parts["ALBERT"]]
                        for k, s in PRESETS.items()
                        if k != "tiny"
                    },
                    index=[t(f"bert.pp_{p}") for p in parts["ALBERT"]],
                ),
                width="stretch",
            )
        st.markdown(t("bert.dropout_note"))
        qa_panel(["bert-03", "bert-07-5", "misc-13"])

if tabs[7].open:  # ---------------------------------------------------------- ELMo vs GPT vs BERT
    with tabs[7]:
        words = _text("bert.vis_text", "bert_vis", t("bert.default_vis")).split()[:16]
        if len(words) < 2:
            st.warning(t("bert.err_two_words"))
        else:
            c1, c2 = st.columns(2)
            pos = c1.slider(t("bert.vis_pos"), 0, len(words) - 1, min(4, len(words) - 1), key="bert_pos")
            layers = c2.slider(t("bert.vis_layers"), 1, 4, 2, key="bert_vis_layers")
            kinds = {t(f"bert.kind_{k}"): k for k in ("elmo_fwd", "elmo_bwd", "gpt", "bert")}
            st.plotly_chart(
                vz.visibility(
                    {n: dependency(k, len(words), layers) for n, k in kinds.items()},
                    words,
                    position=pos,
                    title=t("bert.vis_title"),
                    x_title=t("bert.vis_x"),
                    y_title=t("bert.vis_y"),
                ),
                width="stretch",
            )
        st.markdown(t("bert.compare_table"))
        qa_panel(["bert-07-1", "bert-07-2", "bert-07-3", "bert-07-4", "bert-08", "bert-09", "bert-10"])

if tabs[8].open:  # ---------------------------------------------------------- labs: one demo per remaining question
    with tabs[8]:
        names = labs.available()
        st.markdown(t("bert.labs_intro"))
        # ?bert_lab=<module name>: a teacher's link opens the lab in either language
        pick = url_select(t("bert.lab_pick"), "bert_lab", names, [t(f"lab_{n}.title") for n in names])
        if pick:
            labs.render(pick, corpus)
