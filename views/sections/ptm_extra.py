"""Sections of the pretrained-models page: ptm-02 (one-hot vs distributed vectors, memory |V|² vs |V|·d) and misc-14
(a hierarchical-softmax output for a large |V|; the fp16/bf16 check of the compression lab's teacher)."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
import torch

from engine.pretrained import compression as cp
from engine.pretrained import distributed_repr as dr
from engine.pretrained import hs_latency as hl
from engine.pretrained import polysemy
from ui import resources
from ui.i18n import current_lang, t
from ui.widgets import chart, matrix_frame
from viz import ptm_extra as vz

B = dict(bind="query-params")
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
    """Everything the ptm-02 section draws, per (words, |V|, language); the 16-panel bar chart alone takes ~0.1 s."""
    sv, (_, d) = _static(words)
    out: dict = {"unknown": sv.unknown, "few": len(sv.words) < 2}
    if not out["few"]:
        n, k = len(sv.words), min(vocab, SHOWN_DIMS)
        hot = dr.one_hot(range(n), vocab)  # the words take ids 0..n-1 of a |V|-word vocabulary
        dim = t("pretrained_models.dr_dim", lang)
        out["bars"] = vz.vector_bars(
            sv.words,
            hot[:, :k],
            sv.vectors,
            title=t("pretrained_models.dr_bars_title", lang, v=vocab, d=d),
            one_hot_title=t("pretrained_models.dr_onehot_panel", lang, k=k, v=vocab),
            dense_title=t("pretrained_models.dr_dense_panel", lang, d=d),
            x_one_hot=dim,
            x_dense=dim,
            y_title=t("pretrained_models.dr_value", lang),
        )
        out["vecs"] = pd.DataFrame(sv.vectors, columns=[f"d{j}" for j in range(d)])
        out["vecs"].insert(0, t("pretrained_models.word", lang), sv.words)
        dense = dr.cosine_matrix(sv.vectors)
        out["cos"] = vz.cosine_pair(
            dr.cosine_matrix(hot),
            dense,
            sv.words,
            title=t("pretrained_models.dr_cos_title", lang),
            left_title=t("pretrained_models.dr_cos_onehot", lang),
            right_title=t("pretrained_models.dr_cos_dense", lang),
        )
        out["cos_df"] = matrix_frame(dense, sv.words, sv.words)
    curve = dr.memory_curve(dr.VOCAB_SIZES, d)
    names = {
        "one_hot": t("pretrained_models.dr_mem_onehot", lang),
        "index": t("pretrained_models.dr_mem_index", lang),
        "embedding": t("pretrained_models.dr_mem_dense", lang, d=d),
    }
    sizes = {
        "one_hot": dr.one_hot_bytes(vocab),
        "index": dr.index_bytes(vocab),
        "embedding": dr.embedding_bytes(vocab, d),
    }
    out["mem"] = vz.memory_lines(
        curve["vocab"],
        {names[k]: curve[k] for k in names},
        vocab,
        {names[k]: float(v) for k, v in sizes.items()},
        title=t("pretrained_models.dr_mem_title", lang),
        x_title=t("pretrained_models.dr_vocab", lang),
        y_title=t("pretrained_models.dr_bytes", lang),
        chosen_label=t("pretrained_models.dr_chosen", lang, v=vocab),
    )
    out["mem_df"] = pd.DataFrame({"|V|": curve["vocab"], **{names[k]: curve[k] for k in names}})
    ratio = sizes["one_hot"] / sizes["embedding"]
    than = (
        t("pretrained_models.dr_smaller", lang, x=ratio)
        if ratio >= 1
        else t("pretrained_models.dr_larger", lang, x=1 / ratio)
    )
    out["text"] = t(
        "pretrained_models.dr_mem_text",
        lang,
        v=vocab,
        onehot=vz.human_bytes(sizes["one_hot"]),
        dense=vz.human_bytes(sizes["embedding"]),
        d=d,
        ratio=than,
    )
    return out


def distributed_section() -> None:
    """ptm-02. Called inside the encoders tab's fragment, so its widgets rerun that tab only."""
    st.subheader(t("pretrained_models.dr_title"))
    st.markdown(t("pretrained_models.dr_intro"))
    c1, c2 = st.columns([3, 2])
    text = c1.text_input(t("pretrained_models.dr_words"), DEFAULT_WORDS, key="ptm_dr_words", **B)
    vocab = c2.select_slider(t("pretrained_models.dr_vocab"), dr.VOCAB_SIZES, 30_522, key="ptm_vocab", **B)
    if polysemy.model_dir() is None:
        st.warning(t("pretrained_models.poly_missing"))
        return
    out = _distributed_charts(tuple(dr.parse_words(text)), int(vocab), current_lang())
    if out["unknown"]:
        st.warning(t("pretrained_models.dr_unknown", words=", ".join(out["unknown"])))
    if out["few"]:
        st.warning(t("pretrained_models.dr_few"))
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
def _hs_chart(
    vocabs: tuple[int, ...], rows: tuple[hl.LadderRow, ...], timed: tuple[hl.LadderRow, ...] | None, lang: str
):
    """The softmax-vs-HS figure and its table, built once per input and shared read-only (as above)."""
    soft, huff, bal = (t(f"pretrained_models.{k}", lang) for k in ("hs_softmax", "hs_huffman", "hs_balanced"))
    cost = {soft: list(vocabs), huff: [r.mean_length for r in rows], bal: [math.ceil(math.log2(v)) for v in vocabs]}
    measured = {soft: [r.softmax_ms for r in timed], huff: [r.hs_ms for r in timed]} if timed else None
    fig = vz.softmax_vs_hs(
        vocabs,
        cost,
        measured,
        title=t("pretrained_models.hs_chart_title", lang),
        x_title=t("pretrained_models.hs_vocab_axis", lang),
        cost_title=t("pretrained_models.hs_cost_axis", lang),
        ms_title=t("pretrained_models.hs_ms_axis", lang),
        cost_panel=t("pretrained_models.hs_cost_panel", lang),
        ms_panel=t("pretrained_models.hs_ms_panel", lang),
    )
    df = pd.DataFrame(
        {
            "|V|": vocabs,
            "entropy_bits": [r.entropy for r in rows],
            **cost,
            **({f"{k} (ms)": v for k, v in measured.items()} if measured else {}),
        }
    )
    return fig, df


@st.fragment
def hs_section() -> None:
    """misc-14: the output layer's cost, softmax vs hierarchical softmax, as |V| grows."""
    st.subheader(t("pretrained_models.hs_title"))
    st.markdown(t("pretrained_models.hs_intro"))
    c = st.columns(3)
    vmax = c[0].select_slider(t("pretrained_models.hs_vmax"), HS_VOCABS[2:], 30_000, key="ptm_hs_vmax", **B)
    dim = c[1].select_slider(t("pretrained_models.hs_dim"), (32, 64, 128, 256), 64, key="ptm_hs_d", **B)
    s = round(float(c[2].slider(t("pretrained_models.hs_zipf"), 0.0, 2.0, 1.0, 0.1, key="ptm_hs_s", **B)), 2)
    vocabs = tuple(v for v in HS_VOCABS if v <= vmax)
    rows = _ladder(vocabs, 64, s, False)  # the expected cost does not depend on d
    setting = (vocabs, int(dim), s)
    if st.button(t("pretrained_models.hs_measure"), key="ptm_hs_measure"):
        with st.spinner(t("pretrained_models.hs_measuring")):
            st.session_state["ptm_hs"] = (setting, _ladder(*setting, True))
    done = st.session_state.get("ptm_hs")
    timed = done[1] if done and done[0] == setting else None
    fig, df = _hs_chart(vocabs, tuple(rows), tuple(timed) if timed else None, current_lang())
    chart(fig, key="ptm_hs_chart", name="softmax-vs-hierarchical-softmax", data=df)
    last = rows[-1]
    st.markdown(
        t(
            "pretrained_models.hs_note",
            v=last.vocab,
            h=last.entropy,
            l=last.mean_length,
            h1=last.entropy + 1,
            m=last.max_length,
            ratio=last.vocab / last.mean_length,
        )
    )
    if timed:
        fast = timed[-1]
        st.markdown(
            t(
                "pretrained_models.hs_speed",
                v=fast.vocab,
                soft=fast.softmax_ms,
                hs=fast.hs_ms,
                x=fast.softmax_ms / max(fast.hs_ms, 1e-9),
            )
        )
    st.caption(t("pretrained_models.hs_caveat"))


def half_precision_check(model, data: torch.Tensor) -> None:
    """misc-14: 16-bit inference keeps the trained teacher's logits (fp16 within atol 1e-2 of fp32). Computed once
    per teacher model (kept next to it in the session), not on every rerun."""
    done = st.session_state.get("ptm_half")
    if done is None or done[0] is not model:
        batch = cp.eval_batches(data, 0.15, 0, n_batches=1)[0][0]
        gaps = [
            (name, *cp.half_precision_gap(model, batch, dtype))
            for name, dtype in (("fp16", torch.float16), ("bf16", torch.bfloat16))
        ]
        st.session_state["ptm_half"] = done = (model, gaps)
    cols = [
        t("pretrained_models.half_format"),
        t("pretrained_models.half_gap"),
        t("pretrained_models.half_agree"),
        t("pretrained_models.half_close"),
    ]
    rows = [(name, gap, agree, "✓" if gap <= 1e-2 else "✗") for name, gap, agree in done[1]]
    st.markdown(t("pretrained_models.half_title"))
    st.dataframe(pd.DataFrame(rows, columns=cols), hide_index=True, width="stretch")
    st.caption(t("pretrained_models.half_note"))
