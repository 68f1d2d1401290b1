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
from ui.i18n import current_lang, t
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


# Figures are built once per input and shared read-only (cache_resource, not cache_data): st.plotly_chart only reads
# a Figure (to_dict), while a cached dict, or a Figure unpickled from cache_data, is rebuilt and re-validated by
# plotly on every run — about twice the work per chart, and this tab reruns on every widget change in it.
@st.cache_resource(show_spinner=False, max_entries=64)
def _distributed_charts(words: tuple[str, ...], vocab: int, lang: str) -> dict:
    """Everything the ptm-02 section draws, per (words, |V|, language): the 16-panel bar chart alone takes ~0.1 s
    to build."""
    def tt(key: str, **kw) -> str:
        return t(P + key, lang, **kw)

    sv, (_, d) = _static(words)
    out: dict = {"unknown": sv.unknown, "few": len(sv.words) < 2}
    if not out["few"]:
        n, k = len(sv.words), min(vocab, SHOWN_DIMS)
        hot = dr.one_hot(range(n), vocab)  # the words take ids 0..n-1 of a |V|-word vocabulary
        bars = vz.vector_bars(sv.words, hot[:, :k], sv.vectors, title=tt("dr_bars_title", v=vocab, d=d),
                              one_hot_title=tt("dr_onehot_panel", k=k, v=vocab), dense_title=tt("dr_dense_panel", d=d),
                              x_one_hot=tt("dr_dim"), x_dense=tt("dr_dim"), y_title=tt("dr_value"))
        vecs = pd.DataFrame(sv.vectors, columns=[f"d{j}" for j in range(d)])
        vecs.insert(0, tt("word"), sv.words)
        dense = dr.cosine_matrix(sv.vectors)
        cos = vz.cosine_pair(dr.cosine_matrix(hot), dense, sv.words, title=tt("dr_cos_title"),
                             left_title=tt("dr_cos_onehot"), right_title=tt("dr_cos_dense"))
        out["bars"], out["cos"] = bars, cos
        out["vecs"], out["cos_df"] = vecs, matrix_frame(dense, sv.words, sv.words)
    curve = dr.memory_curve(dr.VOCAB_SIZES, d)
    names = {"one_hot": tt("dr_mem_onehot"), "index": tt("dr_mem_index"), "embedding": tt("dr_mem_dense", d=d)}
    sizes = {"one_hot": dr.one_hot_bytes(vocab), "index": dr.index_bytes(vocab),
             "embedding": dr.embedding_bytes(vocab, d)}
    mem = vz.memory_lines(curve["vocab"], {names[k]: curve[k] for k in names}, vocab,
                          {names[k]: float(v) for k, v in sizes.items()}, title=tt("dr_mem_title"),
                          x_title=tt("dr_vocab"), y_title=tt("dr_bytes"), chosen_label=tt("dr_chosen", v=vocab))
    out["mem"] = mem
    out["mem_df"] = pd.DataFrame({"|V|": curve["vocab"], **{names[k]: curve[k] for k in names}})
    ratio = sizes["one_hot"] / sizes["embedding"]
    out["text"] = tt("dr_mem_text", v=vocab, onehot=vz.human_bytes(sizes["one_hot"]),
                     dense=vz.human_bytes(sizes["embedding"]), d=d,
                     ratio=tt("dr_smaller" if ratio >= 1 else "dr_larger", x=max(ratio, 1 / ratio)))
    return out


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
    out = _distributed_charts(tuple(dr.parse_words(text)), int(vocab), current_lang())
    if out["unknown"]:
        st.warning(t(P + "dr_unknown", words=", ".join(out["unknown"])))
    if out["few"]:
        st.warning(t(P + "dr_few"))
    else:
        chart(out["bars"], key="ptm_dr_bars", name="one-hot-vs-dense-vectors", data=out["vecs"])
        chart(out["cos"], key="ptm_dr_cos", name="one-hot-vs-dense-cosine", data=out["cos_df"])
    chart(out["mem"], key="ptm_dr_mem", name="one-hot-vs-embedding-memory", data=out["mem_df"])
    st.markdown(out["text"])


@st.cache_data(show_spinner=False, max_entries=32)
def _ladder(vocabs: tuple[int, ...], dim: int, s: float, measure: bool) -> list[hl.LadderRow]:
    """Shared by every session: trees are deterministic, and a classroom should time this server once, not 30x."""
    return hl.ladder(hl.HSConfig(dim=dim, zipf_s=s), vocabs, measure=measure)


@st.cache_resource(show_spinner=False, max_entries=64)
def _hs_chart(vocabs: tuple[int, ...], rows: tuple[hl.LadderRow, ...], timed: tuple[hl.LadderRow, ...] | None,
              lang: str):
    """The softmax-vs-HS figure and its table, built once per input and shared read-only (as above)."""
    soft, huff, bal = (t(P + k, lang) for k in ("hs_softmax", "hs_huffman", "hs_balanced"))
    cost = {soft: list(vocabs), huff: [r.mean_length for r in rows], bal: [math.ceil(math.log2(v)) for v in vocabs]}
    measured = {soft: [r.softmax_ms for r in timed], huff: [r.hs_ms for r in timed]} if timed else None
    fig = vz.softmax_vs_hs(vocabs, cost, measured, title=t(P + "hs_chart_title", lang),
                           x_title=t(P + "hs_vocab_axis", lang), cost_title=t(P + "hs_cost_axis", lang),
                           ms_title=t(P + "hs_ms_axis", lang), cost_panel=t(P + "hs_cost_panel", lang),
                           ms_panel=t(P + "hs_ms_panel", lang))
    df = pd.DataFrame({"|V|": vocabs, "entropy_bits": [r.entropy for r in rows], **cost,
                       **({f"{k} (ms)": v for k, v in measured.items()} if measured else {})})
    return fig, df


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
    fig, df = _hs_chart(vocabs, tuple(rows), tuple(timed) if timed else None, current_lang())
    chart(fig, key="ptm_hs_chart", name="softmax-vs-hierarchical-softmax", data=df)
    last = rows[-1]
    st.markdown(t(P + "hs_note", v=last.vocab, h=last.entropy, l=last.mean_length, h1=last.entropy + 1,
                  m=last.max_length, ratio=last.vocab / last.mean_length))
    if timed:
        st.markdown(t(P + "hs_speed", v=timed[-1].vocab, soft=timed[-1].softmax_ms, hs=timed[-1].hs_ms,
                      x=timed[-1].softmax_ms / max(timed[-1].hs_ms, 1e-9)))
    st.caption(t(P + "hs_caveat"))


def half_precision_check(model, data: torch.Tensor) -> None:
    """misc-14: 16-bit inference keeps the trained teacher's logits (fp16 within atol 1e-2 of fp32). Computed once
    per teacher model (kept next to it in the session), not on every rerun."""
    done = st.session_state.get("ptm_half")
    if done is None or done[0] is not model:
        batch = cp.eval_batches(data, 0.15, 0, n_batches=1)[0][0]
        gaps = [(name, *cp.half_precision_gap(model, batch, dtype))
                for name, dtype in (("fp16", torch.float16), ("bf16", torch.bfloat16))]
        st.session_state["ptm_half"] = done = (model, gaps)
    rows = [{t(P + "half_format"): name, t(P + "half_gap"): gap, t(P + "half_agree"): agree,
             t(P + "half_close"): "✓" if gap <= 1e-2 else "✗"} for name, gap, agree in done[1]]
    st.markdown(t(P + "half_title"))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(t(P + "half_note"))
