"""Sequence labelling: HMM word segmentation (Viterbi step by step), MEMM label bias, CRF; one sentence, three taggers."""

import zlib

import numpy as np
import pandas as pd
import streamlit as st
import torch

from engine.sequence import crf as C
from engine.sequence import hmm as H
from engine.sequence import label_bias as D
from engine.sequence import memm as M
from engine.sequence.metrics import word_prf
from ui.i18n import t
from ui.tabs import url_tabs
from ui.training import InputError, training_panel
from ui.widgets import chart, qa_panel
from viz import sequence as V

MAX_CHARS, TRELLIS_CHARS, EVAL_LINES = 300, 24, 300
GRAMMAR = (torch.tensor(H.ALLOWED), torch.tensor(H.START_ALLOWED), torch.tensor(H.END_ALLOWED))
TAB_CODES = ("hmm", "bias", "taggers")  # ?seq_tab=bias opens the label-bias tab
PRESETS = {"经典图 · classic": M.classic_lattice, "共享势 · shared": M.shared_potential_lattice}


def tt(key: str, **kw) -> str:
    return t(f"sequence_labeling.{key}", **kw)


@st.cache_resource(show_spinner=False)
def corpus():  # read-only once built: People's Daily split, the counted HMM, jieba's HMM
    train, test = H.split_corpus(H.load_peoples_daily())
    return train, test, H.train_supervised(train), H.jieba_hmm()


def held_out_f1(model) -> float:
    held = corpus()[1][:EVAL_LINES]
    preds = (
        [H.words_to_tags(model.segment(c, han_only=model.name == "jieba")) for c, _ in held]
        if isinstance(model, H.HMM)
        else [ids_to_tags(p) for p in model.predict([c for c, _ in held])]
    )
    return word_prf((H.tags_to_words(c, p), H.tags_to_words(c, g)) for (c, g), p in zip(held, preds)).f1


@st.cache_resource(show_spinner=False)
def hmm_f1() -> dict:
    return {"HMM (MLE)": held_out_f1(corpus()[2]), "HMM (jieba)": held_out_f1(corpus()[3])}


def plot(fig):
    st.plotly_chart(fig, width="stretch")


@st.cache_resource(show_spinner=False, max_entries=256)
def figure(name: str, *args, **kwargs):
    """viz.sequence.<name>(...) built once per input: a rerun that does not change a chart's data
    (another widget, another student with the same sentence) skips plotly's slow per-arrow construction.

    One shared, read-only go.Figure per input (st.plotly_chart only reads it): a Figure skips the validation
    st.plotly_chart gives a dict, and cache_resource skips cache_data's copy."""
    return getattr(V, name)(*args, **kwargs)


def axes(prefix: str) -> dict:
    return dict(title=tt(f"{prefix}_title"), x_title=tt(f"{prefix}_x"), y_title=tt(f"{prefix}_y"))


def ids_to_tags(path) -> str:
    return "".join("BMES"[i] for i in path)


# Sections without a training panel are fragments: a widget inside one reruns that section only. The
# training panels stay in the page script (a panel holds its own polling fragment; fragments do not nest).
@st.fragment
def decoding_section(choice: str, text: str, job) -> None:
    bw = H.hmm_from_em(job.model) if job is not None and job.usable else None
    if choice == "Baum-Welch" and bw is None:
        st.info(tt("bw_missing"))
    model = {"jieba": jieba, "MLE": mle}.get(choice) or bw or jieba
    unknown = sorted({ch for ch in text if ch not in model.vocab})
    if unknown:
        st.info(tt("unknown", chars=" ".join(unknown[:20])))
    vit = model.viterbi(text)
    st.success(tt("segmentation") + " " + " / ".join(H.tags_to_words(text, ids_to_tags(vit.path))))
    st.subheader(tt("decoding"))
    n = min(len(text), TRELLIS_CHARS)
    if len(text) > TRELLIS_CHARS:
        st.caption(tt("trellis_cut", n=TRELLIS_CHARS))
    part = model.viterbi(text[:n])
    step = st.slider(tt("step"), 1, n, n, key=f"seq_step_{zlib.crc32(text[:n].encode())}") if n > 1 else 1
    path = part.path
    if step < n:  # best path so far: follow the back-pointers from the best node of column `step`
        path = [int(np.argmax(part.delta[step - 1]))]
        for pos in range(step - 1, 0, -1):
            path.append(int(part.backptr[pos, path[-1]]))
        path = path[::-1]
    chart(
        figure("trellis", part.delta, part.backptr, text[:n], model.states, step - 1, path, **axes("trellis")),
        key="seq_trellis",
        name="viterbi-trellis",
        data=pd.DataFrame(
            {
                tt("trellis_x"): list(text[: len(path)]),
                tt("trellis_best"): [model.states[s] for s in path],
                **{f"δ({s})": part.delta[: len(path), k] for k, s in enumerate(model.states)},
            }
        ),
    )
    st.caption(tt("trellis_help"))
    st.subheader(tt("evaluation"))
    _, loglik = model.forward(text)
    st.markdown(tt("p_y", loglik=loglik, chars=len(text)))
    post = model.posteriors(text[:n]).T
    plot(figure("heatmap", post, list(text[:n]), list(model.states), **axes("post")))
    st.subheader(tt("learning"))
    c1, c2 = st.columns(2)
    with c1:
        plot(figure("heatmap", np.exp(model.log_trans), list(model.states), list(model.states), **axes("trans")))
    with c2:
        em = np.exp(model.emissions(text[:n])).T
        plot(figure("grouped_bars", list(text[:n]), {s: em[k] for k, s in enumerate(model.states)}, **axes("emit")))


@st.fragment
def lattice_section() -> None:
    st.markdown(tt("bias_intro"))
    preset = st.segmented_control(
        tt("preset"), list(PRESETS), default=list(PRESETS)[0], required=True, key="seq_preset", bind="query-params"
    )
    c1, c2 = st.columns(2)
    n_states = c1.number_input(tt("n_states"), 2, 6, 5, key="seq_states", bind="query-params")
    n_steps = c2.number_input(tt("n_steps"), 2, 6, 4, key="seq_steps", bind="query-params")
    base = M.resize(PRESETS[preset](), int(n_states), int(n_steps))
    with st.expander(tt("edit"), expanded=False):
        st.caption(tt("edit_help"))
        cols = [str(s + 1) for s in range(base.n_states)]
        weights = np.stack(
            [
                st.data_editor(
                    pd.DataFrame(w, index=cols, columns=cols), key=f"seq_edit_{preset}_{n_states}_{n_steps}_{i}"
                ).to_numpy(dtype=float, na_value=np.nan)
                for i, w in enumerate(base.weights)
            ]
        )
    issues = M.check_lattice(weights)
    for code in issues:
        (st.error if code in ("empty", "not_finite", "negative") else st.warning)(tt(f"lat_{code}"))
    if any(code in ("empty", "not_finite", "negative") for code in issues):
        weights = base.weights
    lat = M.Lattice(weights, base.start, base.given_start)
    c1, c2 = st.columns(2)
    for col, mode in ((c1, "memm"), (c2, "crf")):
        with col:
            best, _ = M.best_path(lat, mode)
            shown = M.memm_probs(lat) if mode == "memm" else lat.weights
            plot(
                figure("lattice", shown, best, title=tt(f"lat_{mode}_title"), x_title=tt("lat_x"), y_title=tt("lat_y"))
            )
            rows = M.enumerate_paths(lat, mode, top=500)  # best first (scroll); all of them up to 5^4 = 625
            st.dataframe(
                pd.DataFrame(
                    {
                        tt("path"): ["-".join(str(s + 1) for s in p) for p, _, _ in rows],
                        tt(f"value_{mode}"): [v for _, v, _ in rows],
                        tt("prob"): [p for _, _, p in rows],
                    }
                ),
                hide_index=True,
                height=250,
            )
    if lat.given_start:
        st.caption(tt("given_start"))
    plot(figure("bars", [str(s + 1) for s in range(lat.n_states)], M.out_degree(lat).mean(0), **axes("degree")))
    st.markdown(tt("bias_explain"))


st.title(tt("title"))
st.markdown(tt("intro"))
with st.spinner(tt("loading")):
    train, test, mle, jieba = corpus()
sentence = st.text_input(tt("sentence"), "我来到北京清华大学", key="seq_sentence", bind="query-params")
text = "".join(ch for ch in sentence.strip() if ch.isprintable() and not ch.isspace())
if len(text) > MAX_CHARS:
    st.warning(tt("too_long", n=len(text), limit=MAX_CHARS))
    text = text[:MAX_CHARS]
if not text:
    st.warning(tt("empty"))
    text = "我来到北京清华大学"
tabs = url_tabs("seq_tab", TAB_CODES, [tt("tab_hmm"), tt("tab_bias"), tt("tab_three")])  # only the open tab runs

if tabs[0].open:
    with tabs[0]:
        st.markdown(tt("problems"))
        choice = st.segmented_control(
            tt("model"),
            ["jieba", "MLE", "Baum-Welch"],
            default="jieba",
            required=True,
            key="seq_model",
            bind="query-params",
        )
        st.caption(tt(f"model_{choice.replace('-', '_').lower()}"))
        with st.expander(tt("bw_title"), expanded=choice == "Baum-Welch"):
            iters = st.number_input(tt("bw_iters"), 1, 50, 15, key="seq_bw_iters", bind="query-params")
            # short pieces keep one EM iteration fast (the forward-backward loop runs over the longest piece)
            bw_texts = [c for c, _ in H.chunks(train[:150], 40)] + [text[i : i + 40] for i in range(0, len(text), 40)]

            def make_bw():
                cfg = H.BaumWelchConfig(iterations=int(iters), seed=0)
                model = H.em_model(bw_texts, cfg)
                return model, H.baum_welch(model, bw_texts, cfg)

            job = training_panel("seq_bw", make_bw, max_seconds=60)
            st.caption(tt("bw_note"))
        decoding_section(choice, text, job)

if tabs[1].open:
    with tabs[1]:
        lattice_section()
        st.subheader(tt("ribrob_title"))
        st.markdown(tt("ribrob_intro"))
        c1, c2 = st.columns(2)
        n_rib = c1.number_input("rib", 0, 1000, 60, key="seq_rib", bind="query-params")
        n_rob = c2.number_input("rob", 0, 1000, 40, key="seq_rob", bind="query-params")

        def make_lb():
            if n_rib + n_rob == 0:
                raise InputError(tt("no_words"))
            pair = [cls(D.vocab(), D.TAGS, 0, *D.structure(), seed=0) for cls in (M.MEMMTagger, C.CRFTagger)]
            return pair, C.train_taggers(
                pair,
                D.make_dataset(int(n_rib), int(n_rob)),
                C.TaggerConfig(epochs=40, batch_size=200, lr=0.1, window=0),
            )

        lb = training_panel("seq_lb", make_lb, max_seconds=30, metric="crf")
        if lb is not None and lb.usable:
            rows = [
                {
                    tt("word"): w,
                    tt("gold"): " ".join(D.TAGS[i] for i in D.WORDS[w]),
                    **{f"{m.kind.upper()}": " ".join(D.TAGS[i] for i in m.predict([w])[0]) for m in lb.model},
                    **{f"P {m.kind.upper()}": float(np.exp(m.path_logprob(w, m.predict([w])[0]))) for m in lb.model},
                }
                for w in D.WORDS
            ]
            st.dataframe(pd.DataFrame(rows), hide_index=True)
            data = D.make_dataset(int(n_rib), int(n_rob))
            acc = {
                m.kind.upper(): np.mean([p == list(g) for (w, g), p in zip(data, m.predict([w for w, _ in data]))])
                for m in lb.model
            }
            st.markdown(tt("ribrob_acc", memm=acc["MEMM"], crf=acc["CRF"]))
            st.markdown(tt("ribrob_explain"))

if tabs[2].open:
    with tabs[2]:
        st.markdown(tt("three_intro"))
        size = st.number_input(tt("pd_lines"), 100, 5000, 1500, step=100, key="seq_pd_lines", bind="query-params")

        def make_pd():
            data = [(c, ["BMES".index(x) for x in tg]) for c, tg in H.chunks(train[: int(size)], 60)]
            vocab = C.build_vocab(c for c, _ in data)
            pair = [cls(vocab, "BMES", 1, *GRAMMAR, seed=0) for cls in (C.CRFTagger, M.MEMMTagger)]
            return pair, C.train_taggers(pair, data, C.TaggerConfig(epochs=2, batch_size=32, lr=0.05))

        pd_job = training_panel("seq_pd", make_pd, max_seconds=90, metric="memm")
        taggers = {"HMM (MLE)": mle, "HMM (jieba)": jieba}
        if pd_job is not None and pd_job.usable:
            taggers.update({m.kind.upper(): m for m in pd_job.model})
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
        plot(figure("bars", list(f1), list(f1.values()), **axes("f1")))
        st.caption(tt("f1_note", n=EVAL_LINES))
        st.markdown(tt("comparison"))

st.divider()
st.subheader(t("common.interview_answers"))
qa_panel(["misc-15", "misc-16"])
with st.expander(t("common.sources")):
    st.markdown(tt("sources"))
