"""Pretrained models: objectives as visibility masks, encoders' receptive fields, perplexity (n-gram and a real
SmolLM2), a live compression lab, the cost of long inputs, and the map of PTMs and transfer strategies."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.core.corpus import build_vocab, encode, guess_lang, tokenize
from engine.pretrained import compression as cp
from engine.pretrained import objectives as ob
from engine.pretrained import polysemy, smollm, transfer
from engine.pretrained.ngram_lm import NGramConfig, NGramLM, perplexity_from_probs, running_perplexity
from engine.pretrained.transfer import MODES, trainable_closed_form
from ui import resources
from ui.i18n import t, tl
from ui.tabs import url_tabs
from ui.training import training_panel
from ui.widgets import download_csv, qa_panel
from views.sections import ptm_extra
from viz import ptm as vz

B = dict(bind="query-params")
OBJ = {
    "LM (GPT)": "lm",
    "MLM (BERT)": "mlm",
    "PLM (XLNet)": "plm",
    "UniLM seq2seq": "unilm_s2s",
    "RTD (ELECTRA)": "rtd",
    "ELMo": "elmo",
    "NSP": "nsp",
    "SOP": "sop",
}


def _corpus(name):
    return resources.corpus(name)


@st.cache_resource(show_spinner=False)
def _smollm():
    return smollm.load()  # ~20-40 s once per server process, then shared read-only


@st.cache_resource(show_spinner=False)
def _ngrams(name, k):
    sents = _corpus(name).sentences
    split = int(0.9 * len(sents))  # read-only models shared by every session: counting is deterministic
    return sents[:split], sents[split:], {m: NGramLM(NGramConfig(n=m, k=k)).fit(sents[:split]) for m in (1, 2, 3)}


@st.cache_resource(show_spinner=False)
def _mlm_data():
    corpus = _corpus("toy_en")
    vocab = build_vocab(corpus.sentences)
    return corpus, vocab, cp.pack_sentences([ids + 2 for ids in encode(corpus.sentences, vocab)], 12)


@st.cache_resource(show_spinner=False, max_entries=128)
def figure(name: str, *args, **kwargs):
    """viz.ptm.<name>(...) built once per input: plotly's construction of these figures was most
    of a rerun's cost while their data had not changed.

    One shared, read-only go.Figure per input (st.plotly_chart only reads it): a Figure skips the validation
    st.plotly_chart gives a dict, and cache_resource skips cache_data's copy."""
    return getattr(vz, name)(*args, **kwargs)


def _minilm():
    return polysemy.Encoder(*resources.minilm())  # read-only, shared with the BERT page


def _words(text, limit):
    toks = tokenize(text, guess_lang(text))[:limit]
    if not toks:
        st.warning(t("pretrained_models.err_no_words"))
    return toks


# Tab sections that feed nothing to the rest of the page are fragments: a widget inside one reruns that
# section only. The compression lab stays in the script: its training panels hold their own fragment.
@st.fragment  # ptm-04: objectives as masks
def objectives_tab() -> None:
    st.markdown(t("pretrained_models.obj_intro"))
    c1, c2 = st.columns([3, 2])
    text = c1.text_input(t("pretrained_models.sentence"), "the cat sat on the warm mat", key="ptm_sent", **B)
    name = c2.radio(t("pretrained_models.objective"), list(OBJ), key="ptm_obj", horizontal=True, **B)
    seed = c2.number_input(t("common.seed"), 0, 10_000, 0, key="ptm_seed", **B)
    toks = _words(text, 10)
    if toks:
        obj, rng = OBJ[name], np.random.default_rng(int(seed))
        order = rng.permutation(len(toks))
        mask = ob.visibility(obj, len(toks), order=order, source_len=max(1, len(toks) // 2))
        st.plotly_chart(
            figure(
                "mask_heatmap",
                mask,
                toks,
                title=t("pretrained_models.mask_title", obj=name),
                x_title=t("pretrained_models.key"),
                y_title=t("pretrained_models.query"),
                yes=t("pretrained_models.sees"),
                no=t("pretrained_models.hidden"),
            ),
            width="stretch",
            key="ptm_mask",
        )
        cfg = ob.ObjectiveConfig(mask_prob=0.3, seed=int(seed))
        if obj in ("mlm", "unilm_s2s"):
            inp, tgt = ob.mask_tokens(toks, sorted(set(toks)) + ["dog", "ran"], cfg, rng)
            rows = [(a, b or "") for a, b in zip(inp, tgt)]
        elif obj == "rtd":
            inp, lab = ob.replaced_token_detection(toks, ["dog", "ran", "blue", "tree"], cfg, rng)
            rows = [
                (a, t("pretrained_models.replaced") if y else t("pretrained_models.original")) for a, y in zip(inp, lab)
            ]
        elif obj == "plm":
            rows = [(" ".join(v) or "∅", y) for v, y in ob.plm_pairs(toks, order)]
            st.caption(t("pretrained_models.order", order=" → ".join(toks[i] for i in order)))
        elif obj in ("nsp", "sop"):
            half = max(1, len(toks) // 2)
            a, b = " ".join(toks[:half]), " ".join(toks[half:]) or "…"
            neg = f"{a} [SEP] {t('pretrained_models.random_sentence')}" if obj == "nsp" else f"{b} [SEP] {a}"
            rows = [(f"[CLS] {a} [SEP] {b} [SEP]", "1"), (f"[CLS] {neg} [SEP]", "0")]
        else:
            rows = [(" ".join(v) or "∅", y) for v, y in ob.lm_pairs(toks)]
        st.dataframe(
            pd.DataFrame(rows, columns=[t("pretrained_models.input"), t("pretrained_models.target")]),
            hide_index=True,
            width="stretch",
        )
        st.info(t(f"pretrained_models.note_{obj}"))


@st.fragment  # ptm-03 / misc-03: what each encoder can see
def encoders_tab() -> None:
    st.markdown(t("pretrained_models.enc_intro"))
    c = st.columns(4)
    enc = c[0].radio(
        t("pretrained_models.encoder"), ["CNN", "RNN", "Transformer", "MLP"], key="ptm_enc", horizontal=True, **B
    )
    depth = c[1].slider(t("pretrained_models.depth"), 1, 4, 1, key="ptm_depth", **B)
    kernel = c[2].slider(t("pretrained_models.kernel"), 3, 7, 3, 2, key="ptm_kernel", **B)
    n = c[3].slider(t("pretrained_models.length"), 4, 16, 10, key="ptm_len", **B)
    dep = ob.dependency_mask(enc.lower(), n, depth, kernel)
    ok = (dep == ob.dependency_closed_form(enc.lower(), n, depth, kernel)).all()
    st.plotly_chart(
        figure(
            "mask_heatmap",
            dep,
            [f"x{j}" for j in range(n)],
            title=t("pretrained_models.dep_title"),
            x_title=t("pretrained_models.input_pos"),
            y_title=t("pretrained_models.out_pos"),
            yes=t("pretrained_models.sees"),
            no=t("pretrained_models.hidden"),
        ),
        width="stretch",
        key="ptm_dep",
    )
    (st.success if ok else st.error)(t("pretrained_models.dep_check" if ok else "pretrained_models.dep_fail"))
    st.markdown(t("pretrained_models.traits"))
    ptm_extra.distributed_section()  # ptm-02
    st.subheader(t("pretrained_models.poly_title"))
    st.markdown(t("pretrained_models.poly_intro"))
    if polysemy.model_dir() is None:
        st.warning(t("pretrained_models.poly_missing"))
    elif st.session_state.get("ptm_poly_on") or st.button(t("pretrained_models.poly_load"), key="ptm_poly_btn"):
        st.session_state["ptm_poly_on"] = True
        with st.spinner(t("pretrained_models.poly_loading")):
            enc_model = _minilm()
        pairs = tl("pretrained_models.poly_pairs")  # "word | sentence 1 | sentence 2"
        custom = st.text_input(t("pretrained_models.poly_custom"), "", key="ptm_poly", **B)
        rows, bad = [], []
        for line in ([custom] if custom.strip() else []) + pairs:
            parts_ = [p.strip() for p in line.split("|")]
            try:
                (s1, c1), (s2, c2) = (polysemy.word_vectors(enc_model, s, parts_[0]) for s in parts_[1:3])
                rows.append((parts_[0], polysemy.cosine(s1, s2), polysemy.cosine(c1, c2)))
            except (ValueError, IndexError):
                bad.append(line)
        if bad:
            st.warning(t("pretrained_models.poly_bad", lines="; ".join(bad)))
        if rows:
            st.plotly_chart(
                vz.grouped_bars(
                    [w for w, *_ in rows],
                    {
                        t("pretrained_models.static"): [r[1] for r in rows],
                        t("pretrained_models.contextual"): [r[2] for r in rows],
                    },
                    title=t("pretrained_models.poly_chart"),
                    x_title=t("pretrained_models.word"),
                    y_title="cos",
                    text_format=".2f",
                ),
                width="stretch",
                key="ptm_poly_bars",
            )
        docs = st.text_area(t("pretrained_models.docs"), t("pretrained_models.docs_default"), key="ptm_docs")
        lines = [d for d in docs.splitlines() if d.strip()][:8]
        try:
            reps = polysemy.representations(lines, enc_model)
        except ValueError:
            st.warning(t("pretrained_models.docs_bad"))
        else:
            cols = st.columns(2)
            for i, (name, sim) in enumerate(reps.items()):
                cols[i % 2].plotly_chart(
                    figure(
                        "cosine_heatmap",
                        sim,
                        [f"#{j + 1}" for j in range(len(lines))],
                        title=t("pretrained_models.doc_cos_title", name=name),
                    ),
                    width="stretch",
                    key=f"ptm_rep_{i}",
                )


@st.fragment  # misc-04: perplexity
def perplexity_tab() -> None:
    st.markdown(t("pretrained_models.ppl_intro"))
    c = st.columns(4)
    cname = c[0].radio(t("pretrained_models.corpus"), ["toy_en", "toy_zh"], key="ptm_corpus", horizontal=True, **B)
    order_n = c[1].slider("n", 1, 3, 2, key="ptm_n", **B)
    k = c[2].number_input(t("pretrained_models.addk"), 0.001, 100.0, 0.1, format="%.3f", key="ptm_k", **B)
    _, held, lms = _ngrams(cname, float(k))
    probe = c[3].text_input(t("pretrained_models.probe"), " ".join(held[0]), key="ptm_probe")
    words = _words(probe, 40)
    if words:
        tp = lms[order_n].token_probs(words)
        st.plotly_chart(
            figure(
                "token_probabilities",
                [w for w, _ in tp],
                [p for _, p in tp],
                running_perplexity([p for _, p in tp]),
                title=t("pretrained_models.tok_title", ppl=perplexity_from_probs([p for _, p in tp])),
                x_title=t("pretrained_models.token"),
                y_title=t("pretrained_models.prob"),
                ppl_title="PPL",
            ),
            width="stretch",
            key="ptm_tok",
        )
    ppl = {t("pretrained_models.uniform"): float(len(lms[1].vocab))}
    ppl.update({f"{m}-gram": lms[m].perplexity(held) for m in (1, 2, 3)})
    st.plotly_chart(
        vz.grouped_bars(
            list(ppl),
            {"PPL": list(ppl.values())},
            title=t("pretrained_models.ppl_title"),
            x_title=t("pretrained_models.model"),
            y_title="PPL",
            log_y=True,
        ),
        width="stretch",
        key="ptm_pplbars",
    )
    st.subheader(t("pretrained_models.gpt_title"))
    st.markdown(t("pretrained_models.gpt_intro"))
    if not smollm.available():
        st.warning(t("pretrained_models.gpt_missing"))
    elif st.session_state.get("ptm_gpt_on") or st.button(t("pretrained_models.gpt_load"), key="ptm_gpt_btn"):
        st.session_state["ptm_gpt_on"] = True
        with st.spinner(t("pretrained_models.gpt_loading")):
            lm = _smollm()
        prompt = st.text_input(t("pretrained_models.prompt"), "The capital of France is", key="ptm_prompt", **B)
        if prompt.strip():
            nxt = smollm.next_token_distribution(lm, prompt[:1000], 10)
            st.plotly_chart(
                vz.next_token_bars(
                    [w for w, _ in nxt],
                    [p for _, p in nxt],
                    title=t("pretrained_models.next_title"),
                    x_title=t("pretrained_models.prob"),
                    y_title=t("pretrained_models.token"),
                ),
                width="stretch",
                key="ptm_next",
            )
            try:
                st.metric(t("pretrained_models.gpt_ppl"), f"{smollm.perplexity(lm, prompt[:4000]):.1f}")
            except ValueError:
                st.caption(t("pretrained_models.gpt_short"))
        else:
            st.warning(t("pretrained_models.err_no_words"))


@st.fragment  # ptm-07: the cost of length
def length_tab() -> None:
    c = st.columns(5)
    heads = c[0].number_input(t("pretrained_models.heads"), 1, 128, 12, key="ptm_heads", **B)
    layers = c[1].number_input(t("pretrained_models.layers"), 1, 128, 12, key="ptm_layers", **B)
    batch = c[2].number_input(t("pretrained_models.batch"), 1, 1024, 8, key="ptm_batch", **B)
    nbytes = c[3].radio(t("pretrained_models.bytes"), [2, 4], key="ptm_bytes", horizontal=True, **B)
    gpu = c[4].number_input(t("pretrained_models.gpu"), 1, 1024, 16, key="ptm_gpu", **B)
    ns = np.unique(np.geomspace(64, 8192, 60).astype(int))
    gib = ob.attention_memory_bytes(ns, heads, layers, batch, nbytes) / 2**30
    st.plotly_chart(
        figure(
            "attention_memory",
            ns,
            gib,
            gpu,
            title=t("pretrained_models.mem_title"),
            x_title=t("pretrained_models.length"),
            y_title="GiB",
            limit_label=t("pretrained_models.gpu_limit"),
            bert_label="512 (BERT)",
        ),
        width="stretch",
        key="ptm_mem",
    )
    fit = ns[gib <= gpu]
    st.markdown(t("pretrained_models.mem_fit", n=int(fit.max()) if fit.size else 0))
    tasks = st.slider(t("pretrained_models.tasks"), 1, 50, 10, key="ptm_tasks", **B)
    st.markdown(t("pretrained_models.adapter_math", full=tasks * 110, adapters=110 + tasks * 3.6))


@st.fragment  # ptm-05 / ptm-06: the map and transfer
def map_tab() -> None:
    rows = [r.partition("/") for r in tl("pretrained_models.taxonomy")]  # "branch/leaf: models"
    branches = list(dict.fromkeys(b for b, _, _ in rows))
    ids = ["PTMs", *branches, *(f"{b}/{leaf}" for b, _, leaf in rows)]
    parents = ["", *(["PTMs"] * len(branches)), *(b for b, _, _ in rows)]
    labels = ["PTMs", *branches, *(leaf for _, _, leaf in rows)]
    st.plotly_chart(
        figure("sunburst", ids, parents, labels, title=t("pretrained_models.map_title")), width="stretch", key="ptm_sun"
    )
    mode = st.radio(t("pretrained_models.transfer_mode"), list(MODES), key="ptm_mode", horizontal=True, **B)
    stage = st.slider(t("pretrained_models.stage"), 1, 4, 2, key="ptm_stage", **B) if mode == "gradual" else 1
    tcfg = cp.MLMConfig(vocab_size=128, n_layers=3)
    shares = transfer.layer_shares(transfer.TransferClassifier(cp.TinyMLM(tcfg), 2, mode, stage=stage))
    st.plotly_chart(
        figure(
            "layer_diagram",
            tl("pretrained_models.layer_names"),
            shares,
            title=t("pretrained_models.transfer_title", mode=mode),
            x_title="",
            y_title=t("pretrained_models.layer_axis"),
            frozen_label=t("pretrained_models.frozen"),
            trainable_label=t("pretrained_models.trainable"),
        ),
        width="stretch",
        key="ptm_lay",
    )
    counts = {m: trainable_closed_form(tcfg, 2, m, stage) for m in MODES}
    st.plotly_chart(
        vz.grouped_bars(
            list(counts),
            {t("pretrained_models.trainable"): list(counts.values())},
            title=t("pretrained_models.trainable_title", total=counts["full"]),
            x_title=t("pretrained_models.transfer_mode"),
            y_title="#params",
            log_y=True,
        ),
        width="stretch",
        key="ptm_trainable",
    )
    st.markdown(t("pretrained_models.transfer_text"))


def compression_tab() -> None:  # ptm-05 / misc-14: the compression lab (not a fragment: its training panels
    # hold their own fragments, and a finished run reruns the page)
    st.markdown(t("pretrained_models.comp_intro"))
    corpus, vocab, data = _mlm_data()
    steps = st.slider(t("pretrained_models.steps"), 50, 600, 300, 50, key="ptm_steps", **B)
    cfg = cp.MLMConfig(vocab_size=len(vocab) + 2, steps=steps)
    teacher = training_panel("ptm_teacher", lambda: (m := cp.TinyMLM(cfg), cp.train_mlm(m, data, cfg)), max_seconds=60)
    if teacher and teacher.usable:
        st.markdown(t("pretrained_models.ft_intro"))
        n_lab = st.select_slider(t("pretrained_models.ft_size"), [16, 32, 64, 128, 256, 512], 64, key="ptm_ft_n", **B)

        def _ft_view(job):
            h = job.history
            st.plotly_chart(
                vz.lines(
                    [p.step for p in h],
                    {k: [p.metrics[f"val_{k}"] for p in h] for k in ("pretrained", "random")},
                    title=t("pretrained_models.ft_title"),
                    x_title=t("common.step"),
                    y_title=t("pretrained_models.val_loss"),
                ),
                width="stretch",
            )
            last = h[-1].metrics if h else {}
            if last:
                st.caption(t("pretrained_models.ft_acc", pre=last["acc_pretrained"], rnd=last["acc_random"]))

        training_panel(
            "ptm_ft",
            lambda: (
                m := transfer.make_pair(teacher.model),
                transfer.finetune_pair(m, transfer.topic_task(corpus.sentences, vocab.stoi, n_lab, 12), steps=150),
            ),
            max_seconds=60,
            live_view=_ft_view,
        )
        st.markdown(t("pretrained_models.kd_intro"))
        c = st.columns(2)
        temp = c[0].slider(t("pretrained_models.temperature"), 1.0, 8.0, 2.0, 0.5, key="ptm_T", **B)
        alpha = c[1].slider(t("pretrained_models.alpha"), 0.0, 1.0, 0.5, 0.1, key="ptm_alpha", **B)
        students = training_panel(
            "ptm_students",
            lambda: (
                s := {k: cp.TinyMLM(cp.student_config(cfg, k)) for k in ("small", "shared")},
                cp.distil(teacher.model, s, data, cfg, temp, alpha),
            ),
            max_seconds=60,
        )
        sparsity = st.slider(t("pretrained_models.sparsity"), 0, 95, 50, 5, key="ptm_sparsity", **B)
        if st.button(t("pretrained_models.measure"), key="ptm_measure", type="primary"):
            with st.spinner(t("pretrained_models.measuring")):
                batches = cp.eval_batches(data, 0.15, 0)
                models = {
                    "fp32": teacher.model,
                    "int8": cp.quantize_int8(teacher.model),
                    "bf16": cp.to_half(teacher.model),
                    f"prune {sparsity}%": cp.prune_magnitude(teacher.model, sparsity / 100),
                }
                if students and students.usable:
                    models.update(
                        {
                            t("pretrained_models.student_small"): students.model["small"],
                            t("pretrained_models.student_shared"): students.model["shared"],
                        }
                    )
                st.session_state["ptm_results"] = [cp.measure(k, m, batches) for k, m in models.items()]
        res = st.session_state.get("ptm_results")
        if res:
            df = pd.DataFrame(
                [
                    {
                        t("pretrained_models.model"): r.name,
                        "KiB": r.bytes / 1024,
                        "params": r.params,
                        "non-zero": r.nonzero,
                        "ms/batch": r.latency_ms,
                        "acc": r.accuracy,
                    }
                    for r in res
                ]
            )
            st.plotly_chart(
                vz.compression_bars(
                    df.iloc[:, 0],
                    df["KiB"],
                    df["ms/batch"],
                    df["acc"],
                    title=t("pretrained_models.comp_title"),
                    size_title=t("pretrained_models.size"),
                    latency_title=t("pretrained_models.latency"),
                    accuracy_title=t("pretrained_models.accuracy"),
                ),
                width="stretch",
                key="ptm_comp",
            )
            st.dataframe(df, hide_index=True, width="stretch")
            download_csv(df, "compression", key="ptm_comp_csv")
            st.caption(t("pretrained_models.comp_note"))
            ptm_extra.half_precision_check(teacher.model, data)  # misc-14: fp16/bf16 vs fp32
    ptm_extra.hs_section()  # misc-14: hierarchical softmax for a large |V|


st.title(t("pretrained_models.title"))
st.markdown(t("pretrained_models.intro"))
TAB_CODES = ("objectives", "encoders", "perplexity", "compression", "length", "map")  # stable: they end up in links
tabs = url_tabs("ptm_tab", TAB_CODES, tl("pretrained_models.tabs"))  # ?ptm_tab=compression opens the lab
# only the open tab runs (a tab switch reruns the page); the tabs share nothing but their own session-state keys
for tab, draw in zip(tabs, (objectives_tab, encoders_tab, perplexity_tab, compression_tab, length_tab, map_tab)):
    if tab.open:
        with tab:
            draw()

st.subheader(t("common.interview_answers"))
qa_panel(
    ["ptm-01", "ptm-02", "ptm-03", "ptm-04", "ptm-05", "ptm-06", "ptm-07", "misc-01", "misc-03", "misc-04", "misc-14"]
)
