"""Sections of the pretrained-models page: ptm-02 (one-hot vs distributed vectors, memory |V|² vs |V|·d) and misc-14
(a hierarchical-softmax output for a large |V|; the fp16/bf16 check of the compression lab's teacher)."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st
import torch

from engine import compression as cp
from engine import distributed_repr as dr
from engine import hs_latency as hl
from engine import polysemy
from ui import resources
from ui.i18n import t
from ui.widgets import chart, matrix_frame
from viz import ptm_extra as vz

B = dict(bind="query-params")
P = "pretrained_models."
DEFAULT_WORDS = "cat kitten dog puppy king queen man woman"
SHOWN_DIMS = 48  # one-hot columns drawn; every other column of |V| is 0
HS_VOCABS = (100, 300, 1_000, 3_000, 10_000, 30_000, 100_000)


@st.cache_data(show_spinner=False, max_entries=64)
def _static(words: tuple[str, ...]) -> tuple[dr.StaticVectors, tuple[int, int]]:
    """MiniLM's input-embedding rows of the words (the shared read-only model; only 8 rows are copied)."""
    tok, model = resources.minilm()
    table = model.embeddings.word_embeddings.weight
    return dr.static_vectors(tok, table, words), (int(table.shape[0]), int(table.shape[1]))


def distributed_section() -> None:
    """ptm-02. Called inside the encoders tab's fragment, so its widgets rerun that tab only."""
    st.subheader(t(P + "dr_title"))
    st.markdown(t(P + "dr_intro"))
    c1, c2 = st.columns([3, 2])
    text = c1.text_input(t(P + "dr_words"), DEFAULT_WORDS, key="ptm_dr_words", **B)
    vocab = c2.select_slider(t(P + "dr_vocab"), dr.VOCAB_SIZES, 30_522, key="ptm_vocab", **B)
    if polysemy.model_dir() is None:
        st.warning(t(P + "poly_missing"))
        return
    sv, (_, d) = _static(tuple(dr.parse_words(text)))
    if sv.unknown:
        st.warning(t(P + "dr_unknown", words=", ".join(sv.unknown)))
    if len(sv.words) < 2:
        st.warning(t(P + "dr_few"))
    else:
        n, k = len(sv.words), min(vocab, SHOWN_DIMS)
        hot = dr.one_hot(range(n), vocab)  # the words take ids 0..n-1 of a |V|-word vocabulary
        fig = vz.vector_bars(sv.words, hot[:, :k], sv.vectors, title=t(P + "dr_bars_title", v=vocab, d=d),
                             one_hot_title=t(P + "dr_onehot_panel", k=k, v=vocab),
                             dense_title=t(P + "dr_dense_panel", d=d), x_one_hot=t(P + "dr_dim"),
                             x_dense=t(P + "dr_dim"), y_title=t(P + "dr_value"))
        vecs = pd.DataFrame(sv.vectors, columns=[f"d{j}" for j in range(d)])
        vecs.insert(0, t(P + "word"), sv.words)
        chart(fig, key="ptm_dr_bars", name="one-hot-vs-dense-vectors", data=vecs)
        dense = dr.cosine_matrix(sv.vectors)
        fig = vz.cosine_pair(dr.cosine_matrix(hot), dense, sv.words, title=t(P + "dr_cos_title"),
                             left_title=t(P + "dr_cos_onehot"), right_title=t(P + "dr_cos_dense"))
        chart(fig, key="ptm_dr_cos", name="one-hot-vs-dense-cosine", data=matrix_frame(dense, sv.words, sv.words))
    curve = dr.memory_curve(dr.VOCAB_SIZES, d)
    names = {"one_hot": t(P + "dr_mem_onehot"), "index": t(P + "dr_mem_index"),
             "embedding": t(P + "dr_mem_dense", d=d)}
    at = {names[k]: float(f(vocab)) for k, f in (("one_hot", dr.one_hot_bytes), ("index", dr.index_bytes),
                                                  ("embedding", lambda v: dr.embedding_bytes(v, d)))}
    fig = vz.memory_lines(curve["vocab"], {names[k]: curve[k] for k in names}, vocab, at,
                          title=t(P + "dr_mem_title"), x_title=t(P + "dr_vocab"), y_title=t(P + "dr_bytes"),
                          chosen_label=t(P + "dr_chosen", v=vocab))
    table = pd.DataFrame({"|V|": curve["vocab"], **{names[k]: curve[k] for k in names}})
    chart(fig, key="ptm_dr_mem", name="one-hot-vs-embedding-memory", data=table)
    ratio = dr.one_hot_bytes(vocab) / dr.embedding_bytes(vocab, d)
    st.markdown(t(P + "dr_mem_text", v=vocab, onehot=vz.human_bytes(dr.one_hot_bytes(vocab)),
                  dense=vz.human_bytes(dr.embedding_bytes(vocab, d)), d=d,
                  ratio=t(P + ("dr_smaller" if ratio >= 1 else "dr_larger"), x=max(ratio, 1 / ratio))))


@st.cache_data(show_spinner=False, max_entries=32)
def _ladder(vocabs: tuple[int, ...], dim: int, s: float, measure: bool) -> list[hl.LadderRow]:
    """Shared by every session: trees are deterministic, and a classroom should time this server once, not 30x."""
    return hl.ladder(hl.HSConfig(dim=dim, zipf_s=s), vocabs, measure=measure)


@st.fragment
def hs_section() -> None:
    """misc-14: the output layer's cost, softmax vs hierarchical softmax, as |V| grows."""
    st.subheader(t(P + "hs_title"))
    st.markdown(t(P + "hs_intro"))
    c = st.columns(3)
    vmax = c[0].select_slider(t(P + "hs_vmax"), HS_VOCABS[2:], 30_000, key="ptm_hs_vmax", **B)
    dim = c[1].select_slider(t(P + "hs_dim"), (32, 64, 128, 256), 64, key="ptm_hs_d", **B)
    s = c[2].slider(t(P + "hs_zipf"), 0.0, 2.0, 1.0, 0.1, key="ptm_hs_s", **B)
    vocabs = tuple(v for v in HS_VOCABS if v <= vmax)
    rows = _ladder(vocabs, 64, round(float(s), 2), False)  # expected cost does not depend on d
    setting = (vocabs, int(dim), round(float(s), 2))
    if st.button(t(P + "hs_measure"), key="ptm_hs_measure"):
        with st.spinner(t(P + "hs_measuring")):
            st.session_state["ptm_hs"] = (setting, _ladder(*setting, True))
    done = st.session_state.get("ptm_hs")
    timed = done[1] if done and done[0] == setting else None
    soft, huff, bal = t(P + "hs_softmax"), t(P + "hs_huffman"), t(P + "hs_balanced")
    cost = {soft: list(vocabs), huff: [r.mean_length for r in rows], bal: [math.ceil(math.log2(v)) for v in vocabs]}
    measured = {soft: [r.softmax_ms for r in timed], huff: [r.hs_ms for r in timed]} if timed else None
    fig = vz.softmax_vs_hs(vocabs, cost, measured, title=t(P + "hs_chart_title"), x_title=t(P + "hs_vocab_axis"),
                           cost_title=t(P + "hs_cost_axis"), ms_title=t(P + "hs_ms_axis"),
                           cost_panel=t(P + "hs_cost_panel"), ms_panel=t(P + "hs_ms_panel"))
    df = pd.DataFrame({"|V|": vocabs, "entropy_bits": [r.entropy for r in rows], **cost,
                       **({f"{k} (ms)": v for k, v in measured.items()} if measured else {})})
    chart(fig, key="ptm_hs_chart", name="softmax-vs-hierarchical-softmax", data=df)
    last = rows[-1]
    st.markdown(t(P + "hs_note", v=last.vocab, h=last.entropy, l=last.mean_length, h1=last.entropy + 1,
                  m=last.max_length, ratio=last.vocab / last.mean_length))
    if timed:
        st.markdown(t(P + "hs_speed", v=timed[-1].vocab, soft=timed[-1].softmax_ms, hs=timed[-1].hs_ms,
                      x=timed[-1].softmax_ms / max(timed[-1].hs_ms, 1e-9)))
    st.caption(t(P + "hs_caveat"))


def half_precision_check(model, data: torch.Tensor) -> None:
    """misc-14: 16-bit inference keeps the trained teacher's logits (fp16 within atol 1e-2 of fp32)."""
    batch = cp.eval_batches(data, 0.15, 0, n_batches=1)[0][0]
    rows = []
    for name, dtype in (("fp16", torch.float16), ("bf16", torch.bfloat16)):
        gap, agree = cp.half_precision_gap(model, batch, dtype)
        rows.append({t(P + "half_format"): name, t(P + "half_gap"): gap, t(P + "half_agree"): agree,
                     t(P + "half_close"): "✓" if gap <= 1e-2 else "✗"})
    st.markdown(t(P + "half_title"))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(t(P + "half_note"))
