"""The lens's second part (?lens_part=sampling): the next-token distribution with temperature, top-k and top-p (the
kept set highlighted), a seeded sampled continuation, and the KV cache's size as the text grows."""

import math

import pandas as pd
import streamlit as st
import torch

from engine.pretrained import lens
from ui.code import show_code
from ui.i18n import t
from ui.widgets import bound, chart
from viz import lens as vz

SHOWN = 20  # tokens in the bar chart
TESTS = [
    "tests/engine/pretrained/test_lens.py::test_sampling_distribution_is_the_closed_form",
    "tests/engine/pretrained/test_lens.py::test_a_seeded_sample_replays_and_follows_its_distribution",
]
KV_TESTS = ["tests/engine/pretrained/test_lens.py::test_kv_cache_formula_equals_the_real_cache"]


@st.cache_data(show_spinner=False, max_entries=64)
def _logits(_lm, text: str) -> torch.Tensor:
    return lens.next_logits(_lm, text)  # _lm: the one shared model, not part of the key


@st.cache_data(show_spinner=False, max_entries=64)
def _continue(_lm, text: str, n_new: int, temperature: float, top_k: int, top_p: float, seed: int):
    return lens.continue_text(_lm, text, n_new, temperature, top_k, top_p, seed)


def _inputs():
    c = st.columns(5)
    temperature = bound(c[0].number_input, t("lens.temperature"), 0.0, 10.0, 1.0, 0.1, key="lens_temp")
    top_k = bound(c[1].number_input, t("lens.top_k"), 1, 1_000_000, 50, 1, key="lens_topk")
    top_p = bound(c[2].slider, t("lens.top_p"), 0.01, 1.0, 0.9, 0.01, key="lens_topp")
    n_new = bound(c[3].slider, t("lens.new_tokens"), 1, lens.MAX_NEW, 20, key="lens_new")
    seed = bound(c[4].number_input, t("common.seed"), 0, 2**31 - 1, 0, 1, key="lens_seed")
    num = [float("nan") if v is None else float(v) for v in (temperature, top_k, top_p)]  # a cleared box: None
    return num[0], int(num[1]) if math.isfinite(num[1]) else 0, num[2], int(n_new), int(seed or 0)


def _kv_section(lm, run) -> None:
    st.markdown(t("lens.kv_intro"))
    cfg = lm.model.config
    end = run.cache_tokens[-1]
    tokens = list(range(0, end + 1))
    names = (t("lens.kv_formula"), t("lens.kv_mha", heads=cfg.num_attention_heads), t("lens.kv_measured"))
    fig = vz.kv_growth(
        tokens,
        [lens.kv_cache_bytes(cfg, n) for n in tokens],
        [lens.kv_cache_bytes(cfg, n, kv_heads=cfg.num_attention_heads) for n in tokens],
        run.cache_tokens,
        run.cache_bytes,
        title=t("lens.kv_title"),
        x_title=t("lens.kv_tokens"),
        y_title=t("lens.kv_bytes"),
        names=names,
    )
    table = pd.DataFrame(
        {
            t("lens.kv_tokens"): run.cache_tokens,
            names[0]: [lens.kv_cache_bytes(cfg, n) for n in run.cache_tokens],
            names[2]: run.cache_bytes,
        }
    )
    chart(fig, key="lens_kv", name="smollm2-kv-cache", data=table)
    same = all(lens.kv_cache_bytes(cfg, n) == b for n, b in zip(run.cache_tokens, run.cache_bytes))
    per = lens.kv_cache_bytes(cfg, 1)
    (st.success if same else st.error)(t("lens.kv_check_ok" if same else "lens.kv_check_bad", per=per))
    ctx = cfg.max_position_embeddings
    st.caption(t("lens.kv_context", n=ctx, mib=lens.kv_cache_bytes(cfg, ctx) / 2**20))
    show_code(lens.kv_cache_bytes, KV_TESTS)


def draw(lm, text: str) -> None:
    st.markdown(t("lens.sampling_intro"))
    temperature, top_k, top_p, n_new, seed = _inputs()
    logits = _logits(lm, text)
    try:
        dist = lens.sampling_distribution(logits, temperature, top_k, top_p)
    except lens.LensError as e:
        st.error(t(f"lens.err_{e.code}"))
        return
    if top_k > logits.numel():
        st.info(t("lens.topk_all", v=logits.numel()))
    order = torch.argsort(dist.probs, descending=True)[:SHOWN].tolist()
    labels = [lens.token_label(lm.tokenizer, i, show_whitespace=True) for i in order]
    fig = vz.sampling_bars(
        labels,
        [float(dist.probs[i]) for i in order],
        [float(dist.final[i]) for i in order],
        [bool(dist.kept[i]) for i in order],
        title=t("lens.next_title", temp=temperature, k=top_k, p=top_p),
        x_title=t("lens.prob"),
        y_title=t("lens.token"),
        kept_name=t("lens.kept"),
        dropped_name=t("lens.dropped"),
        final_name=t("lens.final"),
    )
    table = pd.DataFrame(
        {
            t("lens.token"): labels,
            t("lens.col_id"): order,
            t("lens.p_temp"): [float(dist.probs[i]) for i in order],
            t("lens.kept"): [bool(dist.kept[i]) for i in order],
            t("lens.final"): [float(dist.final[i]) for i in order],
        }
    )
    chart(fig, key="lens_next", name="smollm2-next-token-sampling", data=table)
    kept = int(dist.kept.sum())
    st.caption(t("lens.kept_note", n=kept, mass=float(dist.probs[dist.kept].sum())))
    show_code(lens.sampling_distribution, TESTS)

    st.markdown(t("lens.continue_title"))
    with st.spinner(t("lens.generating")):
        run = _continue(lm, text, n_new, temperature, top_k, top_p, seed)
    st.code(text + lm.tokenizer.decode(run.ids), language=None, wrap_lines=True)
    st.caption(t("lens.continue_note", seed=seed, n=len(run.ids)))
    _kv_section(lm, run)
