"""GloVe: co-occurrence counts → probability ratios → f(x) → AdaGrad live → vs word2vec and LSA → SVD vs autoencoder."""

import hashlib
import re
import time

import numpy as np
import pandas as pd
import streamlit as st

from engine.core import corpus as C
from engine.embeddings.autoencoder import Autoencoder, AutoencoderConfig, train_autoencoder
from engine.embeddings.glove import (
    ICE_STEAM,
    Counts,
    GloVe,
    GloveConfig,
    GloveInputError,
    Trained,
    count_corpus,
    extend_counts,
    model_ratios,
    pair_by_window,
    ratio_rows,
    self_cosines,
    train_glove,
    weighting,
)
from engine.embeddings.lsa import lsa_vectors, rank_k_error, top_ppmi
from engine.embeddings.similarity import neighbours, pca_2d, word_pairs_spearman
from engine.embeddings.word2vec import Word2Vec, Word2VecConfig, prepare, train_word2vec
from ui import resources
from ui.i18n import current_lang, t
from ui.tabs import url_tabs
from ui.training import InputError, get_job, training_panel
from ui.widgets import chart, qa_panel
from viz import glove as V

SOURCES = [*C.CORPORA, "upload"]
SIZES = [10_000, 30_000, 100_000, 300_000, 1_000_000]
KINDS = ("w", "w̃", "w + w̃")
TAB_CODES = ("counts", "ratios", "train", "compare", "svd")  # ?glove_tab=train opens the training tab
DEFAULTS = {  # heatmap words; i, j and probe words k for the ratio table
    "toy_en": ("king queen palace throne car bus road station bread tea", "king", "car", "palace road the flower"),
    "toy_zh": ("国王 王后 宫殿 王位 汽车 公交车 公路 车站 面包 茶", "国王", "汽车", "宫殿 公路 的 花"),
    "news_en": ("he she his her water oil gas market said police", "he", "she", "his her said oil"),
    "peoples_daily_zh": ("经济 政治 增长 民主 北京 上海 发展 工作 中国 人民", "经济", "政治", "增长 民主 的 工作"),
}


def load(name: str, size: int) -> C.Corpus:
    return resources.corpus(name, size)  # read-only, shared by every session and page


@st.cache_resource(max_entries=4, show_spinner=False)
def load_upload(data: bytes) -> C.Corpus:
    return C.corpus_from_text(C.decode_upload(data))


def get_counts(key: tuple, corp: C.Corpus, window: int, min_count: int, dw: bool) -> Counts:
    """Shared by every session, within a byte budget (ui.resources.count_tables)."""
    return resources.count_tables().get(
        key, lambda: count_corpus(corp.sentences, window, min_count=min_count, distance_weighting=dw)
    )


@st.cache_resource(max_entries=4, show_spinner=False)
def get_lsa(key: tuple, k: int, _counts: Counts) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    return lsa_vectors(_counts.X, max(1, min(k, len(_counts.vocab) - 1))), time.perf_counter() - t0


@st.cache_data(max_entries=16, show_spinner=False)
def get_svd(key: tuple, n: int, k: int, _counts: Counts) -> tuple[np.ndarray, float, float]:
    """The autoencoder tab's PPMI block and its best rank-k error (an SVD), once per corpus setting, n and k."""
    M = top_ppmi(_counts.X, n)
    return (M, *rank_k_error(M, k))


@st.cache_resource(max_entries=128, show_spinner=False)
def figure(name: str, *args, **kwargs):
    """viz.glove.<name>(...) built once per input (plotly's figure construction is most of a
    rerun's cost when the data did not change).

    One shared, read-only go.Figure per input (st.plotly_chart only reads it): a Figure skips the validation
    st.plotly_chart gives a dict, and cache_resource skips cache_data's copy."""
    return getattr(V, name)(*args, **kwargs)


def words_of(text: str, default: str, vocab) -> tuple[list[str], list[str]]:
    """Up to 12 words from a text box (the default if it is empty): (known, unknown)."""
    words = [w for w in re.split(r"[\s,，、;；]+", (text or "").strip().lower()) if w][:12] or default.split()
    return [w for w in dict.fromkeys(words) if w in vocab.stoi], [w for w in words if w not in vocab.stoi]


def warn_unknown(unknown: list[str]) -> None:
    if unknown:
        st.warning(t("glove.unknown_words", words=", ".join(unknown[:12])[:300]))


def setting(key: str, default: float, lo: float, hi: float) -> float:
    """A number set by a widget of another tab (only the open tab renders): its last value in this session (kept
    for bound widgets), else the link's ?key=, else the default."""
    value = st.session_state.get(key, st.query_params.get(key, default))
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return value if lo <= value <= hi else default


def text_setting(key: str) -> str:
    """A text set by a widget of another tab: its last value in this session, else the link's ?key=."""
    return str(st.session_state.get(key, st.query_params.get(key, "")) or "")


def trained_glove(counts: Counts) -> Trained | None:
    """This session's usable GloVe model for these counts, without running the training tab."""
    job = get_job("glove")
    return job.model if job is not None and job.usable and job.model.counts is counts else None


def tab_counts(counts: Counts, dflt: tuple) -> None:
    vocab, X = counts.vocab, counts.X
    words, unknown = words_of(
        st.text_input(t("glove.words"), "", placeholder=dflt[0], key="glove_words", bind="query-params"), dflt[0], vocab
    )
    warn_unknown(unknown)
    if len(words) >= 2:
        ids = [vocab.stoi[w] for w in words]
        block = X[ids][:, ids].toarray()
        how = t("glove.weighted") if counts.distance_weighting else t("glove.unweighted")
        a, b = st.columns(2)
        table = pd.DataFrame(block, columns=words)
        table.insert(0, f'{t("glove.word")} \\ {t("glove.context")}', words)
        chart(
            figure(
                "cooc_heatmap",
                block,
                words,
                title=t("glove.x_title", window=counts.window, weighting=how),
                x_title=t("glove.context"),
                y_title=t("glove.word"),
                colorbar="X",
            ),
            key="glove_x",
            name="glove-cooccurrence",
            data=table,
            on=a,
        )
        logs = np.log(np.where(block > 0, block, np.nan))
        b.plotly_chart(
            figure(
                "cooc_heatmap",
                logs,
                words,
                title=t("glove.logx_title"),
                x_title=t("glove.context"),
                y_title=t("glove.word"),
                colorbar="log X",
            ),
            width="stretch",
            key="glove_logx",
        )
        a, b = np.unravel_index(np.argmax(block - np.diag(np.diag(block)) - np.eye(len(ids))), block.shape)
        curve = pair_by_window(counts.ids, ids[a], ids[b], 15, distance_weighting=counts.distance_weighting)
        st.plotly_chart(
            figure(
                "window_curve",
                curve,
                title=t("glove.window_curve", i=words[a], j=words[b]),
                x_title=t("glove.window"),
                y_title=f"X[{words[a]}, {words[b]}]",
            ),
            width="stretch",
            key="glove_wcurve",
        )
    else:
        st.info(t("glove.need_two_words"))
    st.subheader(t("glove.f_title"))
    a, b = st.columns(2)
    x_max = a.number_input("x_max", 0.0, 1e6, 100.0, key="glove_xmax", bind="query-params")
    alpha = b.number_input("α", -2.0, 10.0, 0.75, step=0.05, key="glove_alpha", bind="query-params")
    if {"x_max", "alpha"} & set(GloveConfig(x_max=x_max, alpha=alpha).problems()):
        st.error(t("glove.bad_weighting"))
        return
    st.plotly_chart(
        figure(
            "weighting_curve",
            x_max,
            alpha,
            X.data,
            title=t("glove.f_chart"),
            x_title="x = X_ij",
            y_title="f(x)",
            hist_title=t("glove.hist"),
            label=f"α = {alpha:g}",
            ref_labels=("α = 1", "α = 3/4"),
        ),
        width="stretch",
        key="glove_f",
    )
    xs = [0, 1, 10, 50, x_max, 10 * x_max]
    st.dataframe(
        pd.DataFrame(
            [[round(float(weighting(x, x_max, alpha)), 3) for x in xs]],
            index=["f(x)"],
            columns=[f"x = {x:g}" for x in xs],
        ),
        width="stretch",
    )
    st.caption(t("glove.f_share", share=100 * float(np.mean(X.data < x_max))))


def tab_train(counts: Counts, dflt: tuple) -> None:
    x_max, alpha = setting("glove_xmax", 100.0, 0.0, 1e6), setting("glove_alpha", 0.75, -2.0, 10.0)
    st.caption(t("glove.weighting_from_counts", x_max=x_max, alpha=alpha))
    c = st.columns(4)
    dim = c[0].number_input(t("glove.dim"), 1, 300, 50, key="glove_dim", bind="query-params")
    lr = c[1].number_input(t("glove.lr"), 0.0, 1.0, 0.05, step=0.01, format="%.3f", key="glove_lr", bind="query-params")
    epochs = c[2].number_input(t("glove.epochs"), 1, 100, 50, key="glove_epochs", bind="query-params")
    probe = c[3].text_input(t("glove.probe"), "", placeholder=dflt[1], key="glove_probe", bind="query-params")
    cfg = GloveConfig(
        dim=int(dim),
        x_max=x_max,
        alpha=alpha,
        lr=lr,
        epochs=int(epochs),
        batch_size=int(np.clip(counts.X.nnz // 8, 256, 4096)),
    )  # few, large steps: cheap on a busy server

    def make_run():
        if cfg.problems():
            raise InputError("; ".join(t(f"glove.bad_{b}") for b in cfg.problems()))
        model = GloVe(len(counts.vocab), cfg.dim, cfg.seed)
        return Trained(model, counts), train_glove(model, counts.pairs, cfg)

    def live(job) -> None:
        known, _ = words_of(probe, dflt[1], job.model.counts.vocab)
        if known:
            nb = neighbours(job.model.model.vectors("sum"), job.model.counts.vocab, known[0], topn=8)
            st.caption(t("glove.live_neighbours", word=known[0]) + " " + " · ".join(f"{w} ({s:.2f})" for w, s in nb))

    job = training_panel("glove", make_run, max_seconds=60, live_view=live)
    if not (job and job.usable):
        return
    tr: Trained = job.model
    kind = st.radio(
        t("glove.kind"),
        range(3),
        index=2,
        horizontal=True,
        key="glove_kind",
        bind="query-params",
        format_func=lambda i: KINDS[i],
    )
    words, _ = words_of(text_setting("glove_words"), dflt[0], tr.counts.vocab)
    if len(words) >= 2:
        ids = [tr.counts.vocab.stoi[w] for w in words]
        vecs = tr.model.vectors(("w", "ctx", "sum")[kind])
        a, b = st.columns([3, 2])
        a.plotly_chart(
            V.word_map(pca_2d(vecs[ids]), words, title=t("glove.map_title", kind=KINDS[kind])),
            width="stretch",
            key="glove_map",
        )
        b.dataframe(
            pd.DataFrame({t("glove.word"): words, "cos(w, w̃)": np.round(self_cosines(tr.model, ids), 3)}),
            hide_index=True,
            width="stretch",
        )
        b.caption(t("glove.self_cos_note"))


@st.fragment  # its widgets rerun this tab only
def tab_ratios(counts: Counts, dflt: tuple) -> None:
    vocab, tr = counts.vocab, trained_glove(counts)  # read here: a run that ended in another tab shows up too
    c = st.columns([1, 1, 3])
    i = c[0].text_input("i", "", placeholder=dflt[1], key="glove_i", bind="query-params")
    j = c[1].text_input("j", "", placeholder=dflt[2], key="glove_j", bind="query-params")
    ks = c[2].text_input(t("glove.probes"), "", placeholder=dflt[3], key="glove_k", bind="query-params")
    ij, unk1 = words_of(f"{(i or '').strip() or dflt[1]} {(j or '').strip() or dflt[2]}", "", vocab)
    probes, unk2 = words_of(ks, dflt[3], vocab)
    warn_unknown(unk1 + unk2)
    if len(ij) < 2 or not probes:
        st.info(t("glove.need_ij"))
    else:
        rows = ratio_rows(counts.X, vocab, ij[0], ij[1], probes)
        pi, pj, ratio = f"P(k|{ij[0]})", f"P(k|{ij[1]})", t("glove.ratio")
        df = pd.DataFrame(
            {
                "k": [r["k"] for r in rows],
                pi: [r["p_i"] for r in rows],
                pj: [r["p_j"] for r in rows],
                ratio: [r["ratio"] for r in rows],
            }
        )
        if tr is not None and tr.counts is counts:
            df[t("glove.model_ratio")] = model_ratios(tr.model, counts.X, vocab, ij[0], ij[1], probes)
        for col in df.columns[1:]:  # as text: NaN shows as "—", probabilities in scientific notation
            fmt = "{:.2e}" if col in (pi, pj) else "{:.3g}"
            df[col] = [fmt.format(v) if np.isfinite(v) else "—" for v in df[col]]
        a, b = st.columns(2)
        a.markdown(t("glove.corpus_table"))
        a.dataframe(df, hide_index=True, width="stretch")
        a.caption(t("glove.model_ratio_note") if tr is not None else t("glove.train_for_model_ratio"))
        b.plotly_chart(
            figure(
                "ratio_bars",
                df["k"],
                [r["p_i"] for r in rows],
                [r["p_j"] for r in rows],
                y_title="log",
                title=t("glove.ratio_chart"),
                x_title=t("glove.probes"),
                names=(pi, pj, ratio),
            ),
            width="stretch",
            key="glove_ratio",
        )
    st.markdown(t("glove.reference_table"))
    ref = pd.DataFrame(
        {
            "k": ICE_STEAM["k"],
            "P(k|ice)": ICE_STEAM["p_ice"],
            "P(k|steam)": ICE_STEAM["p_steam"],
            "P(k|ice)/P(k|steam)": ICE_STEAM["ratio"],
        }
    )
    a, b = st.columns(2)
    edited = a.data_editor(
        ref,
        hide_index=True,
        width="stretch",
        disabled=["k", "P(k|ice)/P(k|steam)"],
        key="glove_ref_editor",
        column_config={
            c: st.column_config.NumberColumn(format="%.2e", min_value=0.0) for c in ("P(k|ice)", "P(k|steam)")
        },
    )
    a.caption(t("glove.reference_source", source=ICE_STEAM["source"]) + " " + t("glove.reference_edit"))
    b.plotly_chart(
        figure(
            "ratio_bars",
            edited["k"],
            edited["P(k|ice)"].fillna(0),
            edited["P(k|steam)"].fillna(0),
            title=t("glove.ratio_chart_ref"),
            y_title="log",
            x_title=t("glove.probes"),
            names=("P(k|ice)", "P(k|steam)", "P(k|ice)/P(k|steam)"),
        ),
        width="stretch",
        key="glove_ratio_ref",
    )
    st.markdown(t("glove.why_ratio"))
    st.subheader(t("glove.deriv_title"))
    labels = [t(f"glove.deriv_label_{n}") for n in range(6)]
    step = st.select_slider(
        t("glove.deriv_step"), list(range(6)), 0, key="glove_step", bind="query-params", format_func=lambda n: labels[n]
    )
    st.markdown(t(f"glove.deriv_{step}"))


def tab_compare(counts: Counts, ckey: tuple, corp: C.Corpus, dflt: tuple, tr: Trained | None) -> None:
    vocab = counts.vocab
    c = st.columns([2, 1, 1])
    word = c[0].text_input(t("glove.cmp_word"), "", placeholder=dflt[1], key="glove_cmp_word", bind="query-params")
    w2v_epochs = c[1].number_input(t("glove.w2v_epochs"), 1, 20, 5, key="glove_w2v_epochs", bind="query-params")
    dim = int(setting("glove_dim", 50, 1, 300))
    cfg = Word2VecConfig(
        sg=True,
        dim=dim,
        window=counts.window,
        epochs=int(w2v_epochs),
        min_count=int(st.session_state.get("glove_min_count", 5) or 5),
        max_vocab=20_000,
    )

    def make_w2v():
        try:
            data = prepare(corp.sentences, cfg)
            cfg.check()
        except ValueError:
            raise InputError(t("glove.err_w2v")) from None
        model = Word2Vec(cfg, data.vocab)
        return Trained(model), train_word2vec(model, data, cfg)

    st.markdown(t("glove.w2v_train"))
    w2v = training_panel("glove_w2v", make_w2v, max_seconds=60)
    lsa_on = c[2].toggle(t("glove.lsa_on"), False, key="glove_lsa", bind="query-params", help=t("glove.lsa_help"))
    methods = []
    if tr is not None and tr.counts is counts:
        methods.append(("GloVe", tr.model.vectors("sum"), vocab, counts.seconds + get_job("glove").seconds))
    if w2v is not None and w2v.usable:
        methods.append(("word2vec", w2v.model.model.vectors, w2v.model.model.vocab, w2v.seconds))
    if lsa_on:
        vecs, secs = get_lsa(ckey, dim, counts)
        methods.append(("LSA (PPMI + SVD)", vecs, vocab, counts.seconds + secs))
    if not methods:
        st.info(t("glove.cmp_empty"))
    known, unknown = words_of(word, dflt[1], vocab)
    warn_unknown(unknown)
    rows = []
    for name, vecs, voc, secs in methods:
        nb = neighbours(vecs, voc, known[0], topn=8) if known and known[0] in voc.stoi else []
        rho, n = word_pairs_spearman(vecs, voc) if corp.lang == "en" else (float("nan"), 0)
        rows.append(
            {
                t("glove.method"): name,
                t("glove.neighbours", word=known[0] if known else "—"): ", ".join(w for w, _ in nb) or "—",
                t("glove.seconds"): round(secs, 1),
                t("glove.wordsim"): f"{rho:.3f} ({n})" if n >= 10 else "—",
            }
        )
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption(t("glove.wordsim_note"))
        words, _ = words_of(text_setting("glove_words"), dflt[0], vocab)
        cols = st.columns(len(methods))
        for col, (name, vecs, voc, _) in zip(cols, methods):
            ws = [w for w in words if w in voc.stoi]
            if len(ws) >= 2:
                col.plotly_chart(
                    V.word_map(pca_2d(vecs[[voc.stoi[w] for w in ws]]), ws, title=t("glove.cmp_map_title", name=name)),
                    width="stretch",
                    key=f"glove_cmp_map_{name[:4]}",
                )
    st.markdown(t("glove.compare_md"))
    add_text(counts, corp)


def add_text(counts: Counts, corp: C.Corpus) -> None:
    """w2v-07: new text means new counts for GloVe (additive, so only the new sentences are counted)."""
    text = st.text_area(t("glove.add_label"), "", key="glove_add", max_chars=20_000, help=t("glove.add_help"))
    if not (text or "").strip():
        return
    new = C.encode(
        [tok for sent in C.split_sentences(text[:20_000]) if (tok := C.tokenize(sent, corp.lang))], counts.vocab
    )
    if not new:
        st.warning(t("glove.add_none"))
        return
    r = extend_counts(counts, new)
    st.success(
        t(
            "glove.add_result",
            sentences=len(new),
            changed=r["changed"],
            inc=1000 * r["inc_s"],
            full=1000 * r["full_s"],
            same=t("glove.yes") if r["same"] else t("glove.no"),
        )
    )


@st.fragment  # its widgets rerun this tab only: nothing else on the page depends on them
def tab_svd(counts: Counts, ckey: tuple) -> None:
    V_ = len(counts.vocab)
    c = st.columns(4)
    n = c[0].slider(t("glove.ae_words"), 2, 400, 200, key="glove_ae_n", bind="query-params")
    k = c[1].slider(t("glove.ae_k"), 1, 50, 10, key="glove_ae_k", bind="query-params")
    act = c[2].radio(t("glove.ae_act"), ["linear", "relu"], horizontal=True, key="glove_ae_act", bind="query-params")
    steps = c[3].number_input(t("glove.ae_steps"), 10, 5000, 400, key="glove_ae_steps", bind="query-params")
    n = min(n, V_)
    k = min(k, n)
    M, floor, total = get_svd(ckey, n, k, counts)
    st.caption(t("glove.ae_setup", n=n, k=k, floor=floor, total=total))
    cfg = AutoencoderConfig(k=k, activation=act, lr=0.01, steps=int(steps))

    def make_run():
        model = Autoencoder(n, cfg)
        return Trained(model, floor=floor), train_autoencoder(model, M, cfg)

    def live(job) -> None:
        st.plotly_chart(
            V.error_vs_floor(
                [p.loss for p in job.history],
                job.model.floor,
                title=t("glove.ae_chart"),
                x_title=t("common.step"),
                y_title="‖M − M̂‖²_F",
                names=(t("glove.ae_name"), t("glove.svd_name")),
            ),
            width="stretch",
        )

    job = training_panel("glove_ae", make_run, max_seconds=30, live_view=live)
    if job is not None and job.usable:
        final = job.history[-1].loss
        st.metric(t("glove.ae_vs_svd"), f"{final / job.model.floor:.3f}×" if job.model.floor > 0 else "—")
    st.markdown(t("glove.ae_md"))


st.title(t("glove.title"))
st.markdown(t("glove.intro"))
c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 1, 1])
src_labels = [t(f"glove.src_{name}") for name in SOURCES]  # labels fixed in the script thread (AppTest re-formats)
src = c1.selectbox(
    t("glove.corpus"),
    range(len(SOURCES)),
    format_func=lambda i: src_labels[i],
    index=int(current_lang() == "zh"),
    key="glove_corpus",
    bind="query-params",
)
size = c2.select_slider(
    t("glove.size"), SIZES, value=100_000, key="glove_size", bind="query-params", format_func=lambda n: f"{n:,}"
)
window = c3.slider(t("glove.window"), 1, 15, 10, key="glove_window", bind="query-params")
min_count = c4.number_input(t("glove.min_count"), 1, 100, 5, key="glove_min_count", bind="query-params")
dw = c5.toggle(t("glove.distance"), True, key="glove_dw", bind="query-params", help=t("glove.distance_help"))
name, corp, counts = SOURCES[src], None, None
try:
    if name == "upload":
        up = st.file_uploader(t("glove.upload"), type=["txt", "md", "csv"], key="glove_upload")
        if up is None:
            st.info(t("glove.upload_hint"))
        else:
            corp, key = load_upload(up.getvalue()), (hashlib.sha1(up.getvalue()).hexdigest(),)
    else:
        corp, key = load(name, size), (name, size)
    if corp is not None:
        ckey = (*key, window, int(min_count), dw)
        counts = get_counts(ckey, corp, window, int(min_count), dw)
        st.caption(
            t(
                "glove.stats",
                tokens=corp.n_tokens,
                V=len(counts.vocab),
                nnz=counts.X.nnz,
                seconds=counts.seconds,
                source=corp.source,
            )
        )
except C.CorpusError as e:
    st.error(t(f"glove.err_corpus_{e.code}"))
except GloveInputError as e:
    st.error(t(f"glove.err_{e.code}"))

if counts is not None:
    dflt = DEFAULTS.get(name) or (
        " ".join(counts.vocab.itos[:10]),
        *counts.vocab.itos[:2],
        " ".join(counts.vocab.itos[2:6]),
    )
    tabs = url_tabs("glove_tab", TAB_CODES, [t(f"glove.tab_{n}") for n in TAB_CODES])
    if tabs[0].open:  # only the open tab runs (a tab switch reruns the page)
        with tabs[0]:
            tab_counts(counts, dflt)
    if tabs[1].open:
        with tabs[1]:
            tab_ratios(counts, dflt)
    if tabs[2].open:
        with tabs[2]:
            tab_train(counts, dflt)
    if tabs[3].open:
        with tabs[3]:
            tab_compare(counts, ckey, corp, dflt, trained_glove(counts))
    if tabs[4].open:
        with tabs[4]:
            tab_svd(counts, ckey)

st.subheader(t("common.interview_answers"))
qa_panel(["glove-01", "glove-02", "glove-03", "w2v-07", "misc-05"])
