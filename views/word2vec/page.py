"""word2vec: train CBOW / skip-gram live, then see why HS, negative sampling, subwords and dense vectors matter."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.core.corpus import CORPORA, CorpusError, build_vocab, corpus_from_text, decode_upload, tokenize
from engine.embeddings.fasttext import (
    FastText,
    FastTextClassifier,
    accuracy,
    compute_ngrams,
    label_by_keywords,
    train_classifier,
)
from engine.embeddings.huffman import huffman, parse_counts, path_probability
from engine.embeddings.negative_sampling import NegativeSampler, noise_distribution
from engine.embeddings.ns_gradient import output_gradient, touched_rows
from engine.embeddings.similarity import analogy, cosine, mean_vector, missing, neighbours, pca_2d, similarity
from engine.embeddings.tfidf import cosine_matrix, count_matrix, tfidf
from engine.embeddings.word2vec import (
    LIMITS,
    Word2Vec,
    Word2VecConfig,
    Word2VecInputError,
    context_overlap_corpus,
    cosine_vs_overlap,
    cost_per_example,
    prepare,
    time_output_layers,
    train_word2vec,
)
from ui import resources
from ui.i18n import current_lang, t, tl
from ui.tabs import url_tabs
from ui.training import InputError, get_job, training_panel
from ui.widgets import chart, qa_panel
from viz import word2vec as vz

PROBES = {  # word groups of the toy corpora (assets/corpora/make_toy_corpora.py) drawn on the live map
    "toy_en": "cat dog kitten puppy horse rabbit | bread rice apple cheese soup noodles | "
    "king queen prince princess duke emperor | car bus train bicycle truck plane | "
    "red blue green yellow black white",
    "toy_zh": "猫 狗 小猫 小狗 马 兔子 | 面包 米饭 苹果 奶酪 汤 面条 | 国王 王后 王子 公主 公爵 皇帝 | "
    "汽车 公交车 火车 自行车 卡车 飞机 | 红色 蓝色 绿色 黄色 黑色 白色",
}
NUM = dict(bind="query-params")


def _corpus(name: str, max_tokens: int | None):
    return resources.corpus(name, max_tokens)  # read-only, shared by every session and page


@st.cache_data(show_spinner=False, max_entries=4)
def _upload(data: bytes):
    return corpus_from_text(decode_upload(data))  # tokenising a big upload takes seconds: once per file


@st.cache_resource(show_spinner=False, max_entries=8)
def _vocab(name: str, max_tokens: int | None):
    return build_vocab(_corpus(name, max_tokens).sentences)


@st.cache_resource(show_spinner=False, max_entries=128)
def figure(name: str, *args, **kwargs):
    """viz.word2vec.<name>(...) built once per input: most of a rerun's cost is plotly building
    figures whose data did not change (another widget moved, or another student has the same settings).

    One shared, read-only go.Figure per input (st.plotly_chart only reads it): a Figure skips the validation
    st.plotly_chart gives a dict, and cache_resource skips cache_data's copy."""
    return getattr(vz, name)(*args, **kwargs)


def _vectors(job):
    return job.model.vectors, job.model.vocab


def _probe(vocab, name):
    groups = [g.split() for g in PROBES.get(name, "").split("|") if g.strip()]
    if not groups:  # any other corpus: frequent words past the function words
        groups = [vocab.itos[20:60]]
    pairs = [(w, f"{g[0]} …") for g in groups for w in g if w in vocab.stoi]
    return [w for w, _ in pairs], [g for _, g in pairs]


def _table(pairs):
    return pd.DataFrame(pairs, columns=[t("word2vec.word"), t("word2vec.cosine")])


def _live_map(job):
    vecs, vocab = _vectors(job)
    words, groups = _probe(vocab, getattr(job.model, "corpus_name", ""))
    if len(words) >= 3:
        xy = pca_2d(vecs[[vocab.stoi[w] for w in words]])
        chart(
            vz.word_map(xy, words, groups=groups, title=t("word2vec.map_title")),
            key="w2v_map",
            name="word2vec-map",
            data=pd.DataFrame(
                {t("word2vec.word"): words, t("word2vec.group"): groups, "PC 1": xy[:, 0], "PC 2": xy[:, 1]}
            ),
        )


def _seed() -> int:
    """The training tab's seed (also the sampler's in the negative-sampling tab) without drawing that tab: its
    bound widget's value lives in the session (tab drawn this session) or in the URL (a link)."""
    value = st.session_state.get("w2v_seed", st.query_params.get("w2v_seed", 0))
    try:
        return min(max(int(float(value)), 0), 10**6)
    except (TypeError, ValueError, OverflowError):
        return 0


st.title(t("word2vec.title"))
st.markdown(t("word2vec.intro"))
# the corpus feeds four tabs: it is chosen above them (only the open tab is drawn, ?w2v_tab=<code>)
c1, c2 = st.columns([3, 2])
name = c1.selectbox(
    t("word2vec.corpus"), [*CORPORA, "upload"], index=1 if current_lang() == "zh" else 0, key="w2v_corpus", **NUM
)
k_tokens = c2.slider(t("word2vec.max_tokens"), 10, 500, 50, 10, key="w2v_ktok", **NUM)
corpus, err = None, None
try:
    if name == "upload":
        up = st.file_uploader(t("word2vec.upload"), type=["txt"], key="w2v_upload")
        corpus = _upload(up.getvalue()) if up is not None else None
    else:
        corpus = _corpus(name, None if name.startswith("toy_") else k_tokens * 1000)
except CorpusError as e:
    err = t(f"word2vec.corpus_{e.code}", detail=str(e))
if err:
    st.error(err)
elif corpus is not None:
    st.caption(t("word2vec.corpus_info", tokens=corpus.n_tokens, source=corpus.source))
TAB_CODES = ("train", "hs", "ns", "tfidf", "cost", "fasttext", "distributional")
tabs = url_tabs("w2v_tab", TAB_CODES, tl("word2vec.tabs"))  # ?w2v_tab=ns opens negative sampling

# ---------------------------------------------------------------- 1. train CBOW / skip-gram
if tabs[0].open:
    with tabs[0]:
        c2, c3 = st.columns(2)
        sg = c2.radio(t("word2vec.arch"), ["skip-gram", "CBOW"], key="w2v_arch", horizontal=True, **NUM) == "skip-gram"
        hs = c3.radio(t("word2vec.output"), ["NS", "HS"], key="w2v_out", horizontal=True, **NUM) == "HS"
        n = st.columns(8)
        cfg_kw = dict(
            dim=n[0].number_input(t("word2vec.dim"), 0, 1000, 50, key="w2v_dim", **NUM),
            window=n[1].number_input(t("word2vec.window"), 0, 50, 5, key="w2v_window", **NUM),
            negative=n[2].number_input(t("word2vec.negative"), 0, 100, 5, key="w2v_neg", **NUM),
            epochs=n[3].number_input(t("word2vec.epochs"), 0, 200, 5, key="w2v_epochs", **NUM),
            min_count=n[4].number_input(t("word2vec.min_count"), 0, 1000, 1, key="w2v_minc", **NUM),
            sample=float(
                n[5].selectbox(t("word2vec.sample"), ["1e-3", "1e-4", "1e-5", "1e-2", "0"], key="w2v_sample", **NUM)
            ),
            lr=n[6].number_input(t("word2vec.lr"), 0.0, 1e9, 0.025, format="%.4f", key="w2v_lr", **NUM),
            seed=n[7].number_input(t("word2vec.seed"), 0, 10**6, 0, key="w2v_seed", **NUM),
        )
        cfg = Word2VecConfig(sg=sg, hs=hs, **cfg_kw)
        for code in cfg.problems():
            st.error(t(f"word2vec.err_{code}", low=LIMITS.get(code, (0, 1))[0], high=LIMITS.get(code, (0, 1))[1]))

        def make_run():
            if corpus is None:
                raise InputError(t("word2vec.err_no_corpus"))
            try:
                data = prepare(corpus.sentences, cfg)
            except Word2VecInputError as e:
                raise InputError(t(f"word2vec.err_{e.code}", low=0, high=0)) from None
            model = Word2Vec(cfg, data.vocab)
            model.corpus_name = name  # the live map picks its probe words by corpus
            return model, train_word2vec(model, data, cfg)

        job = training_panel(
            "w2v", make_run, max_seconds=60, live_view=_live_map, disabled=bool(cfg.problems()) or corpus is None
        )
        if job is not None and job.usable:
            vecs, vocab = _vectors(job)
            st.subheader(t("word2vec.results"))
            r1, r2 = st.columns(2)
            word = r1.text_input(t("word2vec.query"), key="w2v_word", **NUM).strip()
            word = word or (_probe(vocab, job.model.corpus_name)[0] + vocab.itos)[0]
            if word in vocab.stoi:
                r1.dataframe(_table(neighbours(vecs, vocab, word, 10)), hide_index=True)
            else:
                r1.warning(t("word2vec.unknown", words=word[:40]))
            s1, s2 = (r1.text_input(t(f"word2vec.sim_{x}"), key=f"w2v_sim_{x}", **NUM).strip() for x in "ab")
            if s1 and s2:
                unknown = missing(vocab, [s1, s2])
                if unknown:
                    r1.warning(t("word2vec.unknown", words=", ".join(w[:40] for w in unknown)))
                else:
                    r1.metric(t("word2vec.sim_result", a=s1[:40], b=s2[:40]), f"{similarity(vecs, vocab, s1, s2):.3f}")
            a, b, c = (r2.text_input(t(f"word2vec.analogy_{x}"), key=f"w2v_an_{x}", **NUM).strip() for x in "abc")
            if a and b and c:
                unknown = missing(vocab, [a, b, c])
                if unknown:
                    r2.warning(t("word2vec.unknown", words=", ".join(w[:40] for w in unknown)))
                else:
                    r2.dataframe(_table(analogy(vecs, vocab, a, b, c)), hide_index=True)
            else:
                r2.caption(t("word2vec.analogy_hint"))
        qa_panel(["w2v-01"])


# ---------------------------------------------------------------- 2. hierarchical softmax: the Huffman tree
@st.fragment
def hs_tab() -> None:
    st.markdown(t("word2vec.hs_intro"))
    text = st.text_input(t("word2vec.hs_counts"), t("word2vec.hs_default"), key="w2v_counts", **NUM)
    try:
        words, counts = parse_counts(text)
    except ValueError:
        st.warning(t("word2vec.hs_bad_counts"))
        words, counts = parse_counts(t("word2vec.hs_default"))
    tree = huffman(counts)
    h1, h2 = st.columns([1, 2])
    step = h1.slider(t("word2vec.hs_step"), 0, len(tree.merges), len(tree.merges), key="w2v_hs_step")
    pick = h1.selectbox(t("word2vec.hs_word"), range(len(words)), format_func=lambda i: words[i], key="w2v_hs_pick")
    if step < len(tree.merges):
        node = lambda i: words[i] if i < len(words) else f"θ{i - len(words)}"  # noqa: E731
        m = tree.merges[step]
        h1.caption(t("word2vec.hs_next", a=node(m.small), b=node(m.large), node=f"θ{m.step}", count=m.count))
    h1.dataframe(
        pd.DataFrame(
            {
                t("word2vec.word"): words,
                t("word2vec.count"): counts,
                t("word2vec.code"): ["".join(map(str, c)) for c in tree.codes],
                t("word2vec.length"): tree.code_lengths(),
            }
        ),
        hide_index=True,
    )
    h2.plotly_chart(
        figure(
            "huffman_tree",
            tree,
            words,
            counts,
            upto=step,
            highlight=pick if step == len(tree.merges) else None,
            title=t("word2vec.hs_tree_title"),
        ),
        width="stretch",
    )
    rng = np.random.default_rng(0)  # random node vectors θ and context vector h: the point is the structure
    syn1, hvec = rng.normal(size=(len(words) - 1, 8)), rng.normal(size=8)
    probs = path_probability(hvec, syn1, tree.codes[pick], tree.points[pick])
    total = sum(float(np.prod(path_probability(hvec, syn1, c, p))) for c, p in zip(tree.codes, tree.points))
    h2.plotly_chart(
        figure(
            "path_bars",
            [f"θ{p} · {c}" for p, c in zip(tree.points[pick], tree.codes[pick])],
            probs,
            title=t("word2vec.hs_path_title", word=words[pick], p=float(np.prod(probs))),
            x_title=t("word2vec.hs_path_x"),
            y_title=t("word2vec.probability"),
        ),
        width="stretch",
    )
    h2.caption(t("word2vec.hs_sum", total=total))
    qa_panel(["w2v-02"])


if tabs[1].open:
    with tabs[1]:
        hs_tab()


# ---------------------------------------------------------------- 3. negative sampling
@st.fragment
def ns_tab(corpus, name: str, k_tokens: int, seed: int) -> None:
    st.markdown(t("word2vec.ns_intro"))
    s1, s2, s3 = st.columns(3)
    power = s1.slider(t("word2vec.ns_power"), 0.0, 1.0, 0.75, 0.05, key="w2v_power", **NUM)
    k = s2.slider(t("word2vec.ns_k"), 1, 20, 5, key="w2v_k", **NUM)
    M = s3.select_slider(t("word2vec.ns_table"), [1000, 10_000, 100_000, 1_000_000], 100_000, key="w2v_M", **NUM)
    if corpus is not None and name == "upload":
        vocab_ns = build_vocab(corpus.sentences)
    elif corpus is not None:
        vocab_ns = _vocab(name, None if name.startswith("toy_") else k_tokens * 1000)
    else:
        vocab_ns = _vocab("toy_en", None)
    if len(vocab_ns) < 2:
        vocab_ns = _vocab("toy_en", None)
    top = np.unique(np.r_[0:8, len(vocab_ns) - 4 : len(vocab_ns)].clip(0, len(vocab_ns) - 1))  # frequent + rare
    sampler = NegativeSampler(vocab_ns.counts, power, M, seed=seed)
    shares = {
        t("word2vec.ns_raw"): noise_distribution(vocab_ns.counts, 1.0)[top],
        t("word2vec.ns_pow", power=power): noise_distribution(vocab_ns.counts, power)[top],
        t("word2vec.ns_uniform"): np.full(top.size, 1 / len(vocab_ns)),
        t("word2vec.ns_table_share"): sampler.empirical(len(vocab_ns))[top],
    }
    st.plotly_chart(
        figure(
            "grouped_bars",
            [vocab_ns.itos[i] for i in top],
            shares,
            title=t("word2vec.ns_chart"),
            x_title=t("word2vec.word"),
            y_title=t("word2vec.probability"),
            log_y=True,
        ),
        width="stretch",
    )
    rare = len(vocab_ns) - 1
    st.caption(
        t(
            "word2vec.ns_lift",
            word=vocab_ns.itos[rare],
            raw=noise_distribution(vocab_ns.counts, 1.0)[rare],
            pow=noise_distribution(vocab_ns.counts, power)[rare],
        )
    )
    drawn = sampler.draw(k)
    st.markdown(t("word2vec.ns_drawn", k=k) + " " + " ".join(f"`{vocab_ns.itos[i]}`" for i in drawn))
    st.caption(t("word2vec.ns_rows", k=k, rows=k + 1, V=len(vocab_ns)))
    rng = np.random.default_rng(seed)  # one (centre, true word) pair with small random vectors
    U, v_c, o = rng.normal(0, 0.1, (len(vocab_ns), 16)), rng.normal(0, 0.1, 16), int(top[min(3, top.size - 1)])
    g_sm, g_ns = output_gradient(U, v_c, o)[0], output_gradient(U, v_c, o, drawn)[0]
    shown = np.union1d(np.arange(min(len(vocab_ns), 300)), np.r_[drawn, o])  # frequent words + every sampled id
    st.plotly_chart(
        figure(
            "gradient_rows",
            {
                t("word2vec.grad_softmax"): np.linalg.norm(g_sm, axis=1)[shown],
                t("word2vec.grad_ns", k=k): np.linalg.norm(g_ns, axis=1)[shown],
            },
            [vocab_ns.itos[i] for i in shown],
            x_title=t("word2vec.grad_x", n=shown.size),
            y_title=t("word2vec.grad_y"),
            title=t("word2vec.grad_title", word=vocab_ns.itos[o]),
            colorbar_title="log10 ‖∇‖",
        ),
        width="stretch",
    )
    st.caption(t("word2vec.grad_note", ns=touched_rows(g_ns).size, sm=touched_rows(g_sm).size, V=len(vocab_ns)))
    qa_panel(["w2v-05"])


if tabs[2].open:
    with tabs[2]:
        ns_tab(corpus, name, k_tokens, _seed())


# ---------------------------------------------------------------- 4. word2vec vs tf-idf and bag of words
@st.fragment
def tfidf_tab(corpus) -> None:
    st.markdown(t("word2vec.tfidf_intro"))
    d1, d2 = st.columns(2)
    ta = d1.text_area(t("word2vec.text_a"), t("word2vec.text_a_default"), key="w2v_text_a", **NUM)[:5000]
    tb = d2.text_area(t("word2vec.text_b"), t("word2vec.text_b_default"), key="w2v_text_b", **NUM)[:5000]
    lang = corpus.lang if corpus is not None else "en"
    docs = [tokenize(ta, lang), tokenize(tb, lang)]
    job = get_job("w2v")
    if not all(docs):
        st.warning(t("word2vec.tfidf_empty"))
    else:
        tf = tfidf(docs + (corpus.sentences[:2000] if corpus is not None else []))
        cos_tfidf = float(cosine_matrix(tf.matrix[:2])[0, 1])
        cos_bow = float(cosine_matrix(count_matrix(docs)[0])[0, 1])
        vals = {t("word2vec.bow"): cos_bow, "tf-idf": cos_tfidf}
        if job is not None and job.usable:
            vecs, vocab = _vectors(job)
            vals["word2vec"] = cosine(mean_vector(vecs, vocab, docs[0]), mean_vector(vecs, vocab, docs[1]))
        else:
            st.info(t("word2vec.train_first"))
        st.plotly_chart(
            figure(
                "grouped_bars",
                [t("word2vec.cosine")],
                {k_: [v] for k_, v in vals.items()},
                title=t("word2vec.tfidf_chart"),
                x_title=t("word2vec.representation"),
                y_title=t("word2vec.cosine"),
            ),
            width="stretch",
        )
        st.caption(t("word2vec.order_note"))
    qa_panel(["w2v-03", "bert-13-1"])


if tabs[3].open:
    with tabs[3]:
        tfidf_tab(corpus)


# ---------------------------------------------------------------- 5. cost per example: NNLM vs CBOW; softmax/HS/NS
@st.fragment
def cost_tab() -> None:
    st.markdown(t("word2vec.cost_intro"))
    q = st.columns(5)
    V = q[0].select_slider("V", [10**3, 10**4, 10**5, 10**6], 10**5, key="w2v_cost_V", **NUM)
    D = q[1].number_input("D", 1, 2048, 100, key="w2v_cost_D", **NUM)
    N = q[2].number_input("N", 1, 20, 4, key="w2v_cost_N", **NUM)
    H = q[3].number_input("H", 1, 4096, 500, key="w2v_cost_H", **NUM)
    kk = q[4].number_input("k", 1, 50, 5, key="w2v_cost_k", **NUM)
    cost = cost_per_example(V, D, N, H, kk)
    st.plotly_chart(
        figure(
            "grouped_bars",
            [t(f"word2vec.cost_{c}") for c in cost],
            {t("word2vec.cost_q"): list(cost.values())},
            title=t("word2vec.cost_chart"),
            x_title=t("word2vec.cost_model"),
            y_title=t("word2vec.cost_q"),
            log_y=True,
        ),
        width="stretch",
    )
    if st.button(t("word2vec.measure"), key="w2v_measure"):
        with st.spinner(t("word2vec.measuring")):
            secs = time_output_layers(min(V, 100_000), min(D, 300), kk, batch=64)
        st.plotly_chart(
            figure(
                "grouped_bars",
                list(secs),
                {"ms": [1000 * v for v in secs.values()]},
                title=t("word2vec.measured", V=min(V, 100_000)),
                x_title=t("word2vec.cost_layer"),
                y_title="ms",
            ),
            width="stretch",
        )
    qa_panel(["w2v-04"])


if tabs[4].open:
    with tabs[4]:
        cost_tab()


# ---------------------------------------------------------------- 6. fastText subwords
if tabs[5].open:
    with tabs[5]:
        st.markdown(t("word2vec.ft_intro"))
        f1, f2, f3 = st.columns([2, 1, 1])
        oov = f1.text_input(t("word2vec.ft_word"), t("word2vec.ft_default"), key="w2v_ft_word", **NUM).strip()[:40]
        lo = f2.slider("min_n", 1, 6, 3, key="w2v_minn", **NUM)
        hi = f3.slider("max_n", 1, 6, 6, key="w2v_maxn", **NUM)
        grams = compute_ngrams(oov, lo, max(lo, hi)) if oov else []
        st.markdown(t("word2vec.ft_grams", n=len(grams)) + " " + " ".join(f"`{g}`" for g in grams[:60]))
        ft_corpus = _corpus("toy_zh" if corpus is not None and corpus.lang == "zh" else "toy_en", None)

        def make_ft():
            ft_cfg = Word2VecConfig(dim=50, epochs=5, seed=0)
            data = prepare(ft_corpus.sentences, ft_cfg)
            model = FastText(ft_cfg, data.vocab, lo, max(lo, hi))
            return model, train_word2vec(model, data, ft_cfg)

        ft = training_panel("w2v_ft", make_ft, max_seconds=30)
        if ft is not None and ft.usable and oov:
            vec, vocab = ft.model.word_vector(oov), ft.model.vocab
            sims = sorted(
                ((w, cosine(vec, ft.model.vectors[i])) for i, w in enumerate(vocab.itos)), key=lambda x: -x[1]
            )
            st.caption(t("word2vec.ft_known" if oov in vocab.stoi else "word2vec.ft_oov", word=oov))
            chart(
                vz.grouped_bars(
                    [w for w, _ in sims[:10]],
                    {t("word2vec.cosine"): [s for _, s in sims[:10]]},
                    title=t("word2vec.ft_chart", word=oov),
                    x_title=t("word2vec.word"),
                    y_title=t("word2vec.cosine"),
                ),
                key="w2v_ft_chart",
                name="fasttext-neighbours",
                data=_table(sims[:10]),
            )
        st.subheader(t("word2vec.ftc_title"))
        st.markdown(t("word2vec.ftc_intro"))
        toy = "toy_zh" if corpus is not None and corpus.lang == "zh" else "toy_en"
        groups = [g.split() for g in PROBES[toy].split("|")]
        docs, labels = label_by_keywords(_corpus(toy, None).sentences[::3], groups)  # every 3rd line: a small set
        cut = int(0.8 * len(docs))
        bigrams = st.checkbox(t("word2vec.ftc_bigrams"), key="w2v_ftc_bigrams", **NUM)

        def make_ftc():
            model = FastTextClassifier(
                build_vocab(docs[:cut]), np.bincount(labels[:cut], minlength=len(groups)), bigrams=bigrams
            )
            return model, train_classifier(model, docs[:cut], labels[:cut])

        ftc = training_panel("w2v_ftc", make_ftc, max_seconds=30, metric="acc")
        if ftc is not None and ftc.usable:
            order = ftc.model.order
            st.metric(t("word2vec.ftc_acc", n=len(docs) - cut), f"{accuracy(ftc.model, docs[cut:], labels[cut:]):.3f}")
            st.plotly_chart(
                vz.huffman_tree(
                    ftc.model.tree,
                    [f"{groups[i][0]}…" for i in order],
                    np.bincount(labels[:cut], minlength=len(groups))[order],
                    title=t("word2vec.ftc_tree"),
                ),
                width="stretch",
            )
        qa_panel(["w2v-06"])


# ---------------------------------------------------------------- 7. the distributional hypothesis
@st.fragment
def overlap_tab() -> None:
    st.markdown(t("word2vec.dh_intro"))
    ov = st.slider(t("word2vec.dh_overlap"), 0, 100, 50, 10, key="w2v_overlap", **NUM) / 100
    st.markdown("  \n".join(f"`{' '.join(s)}`" for s in context_overlap_corpus(ov, n_sentences=6, seed=1)))
    if st.button(t("word2vec.dh_run"), key="w2v_dh_run"):
        levels = [0, 0.2, 0.4, 0.6, 0.8, 1.0]
        with st.spinner(t("word2vec.measuring")):
            cos = cosine_vs_overlap(levels, Word2VecConfig(dim=16, window=2, epochs=3, sample=0, batch_size=64))
        st.plotly_chart(
            vz.line(
                [100 * x for x in levels],
                {"cos(blick, dax)": cos},
                title=t("word2vec.dh_chart"),
                x_title=t("word2vec.dh_overlap"),
                y_title=t("word2vec.cosine"),
            ),
            width="stretch",
        )
    qa_panel(["misc-02"])


if tabs[6].open:
    with tabs[6]:
        overlap_tab()
