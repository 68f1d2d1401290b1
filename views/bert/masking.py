"""Tab `masking`: the 15% / 80-10-10 recipe sampled 1000 times on one sentence, its measured shares against the
targets, and piece vs whole-word masking in English and Chinese."""

import streamlit as st

from engine.bert.masking import binomial_halfwidth, mask_tokens, sample_masks
from engine.bert.model import BertInputError
from engine.core.corpus import CorpusError
from ui.code import show_code
from ui.i18n import t, tl
from ui.widgets import bound, chart, qa_panel
from views.bert.common import error, text, wordpiece
from viz import bert as vz


def fates():
    return [t(f"bert.fate_{k}") for k in ("context", "masked", "random", "unchanged")]


def _grid(m, title, key, name, **kwargs):
    chart(
        vz.masking_grid(
            m["seen"], m["fates"], fates(), title=title, x_title=t("bert.position"), y_title=t("bert.sample"), **kwargs
        ),
        key=key,
        name=name,
    )


def render(corpus: str) -> None:
    sentence = text("bert.mask_sentence", "bert_mtext", t("bert.default_mask_sentence"))
    c = st.columns(4)
    p = bound(c[0].slider, t("bert.p_select"), 0.05, 0.5, 0.15, 0.01, key="bert_p")
    rep = bound(c[1].slider, t("bert.p_mask"), 0.0, 1.0, 0.8, 0.05, key="bert_rep")
    rnd = bound(c[2].slider, t("bert.p_random"), 0.0, 1.0, 0.1, 0.05, key="bert_rnd")
    exact = bound(c[3].toggle, t("bert.exact"), key="bert_exact")
    if st.button(t("bert.resample"), key="bert_resample"):
        st.session_state["bert_seed"] = st.session_state.get("bert_seed", 0) + 1
    seed = st.session_state.get("bert_seed", 0)
    try:
        if rep + rnd > 1.0 + 1e-9:
            raise BertInputError("split", "")
        if not sentence:
            raise BertInputError("empty", "")
        tok = wordpiece(corpus)
        s = sample_masks(
            tok, sentence[:500], 1000, probability=p, replace_prob=rep, random_prob=rnd, exact=exact, seed=seed
        )
        _grid({k: s[k][:10] for k in ("seen", "fates")}, t("bert.grid_title"), "bert_mask_grid", "bert-masking-grid")
        sh, keep, V = s["shares"], max(0.0, 1 - rep - rnd), len(tok)
        emp = [sh["chosen"], sh["masked"], sh["random"], sh["unchanged"]]
        ns = [s["n_words"]] + [s["n_target"]] * 3
        chart(
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
            key="bert_mask_shares",
            name="bert-masking-shares",
        )
        st.info(
            t("bert.why_only_mask")
            if rep >= 0.999
            else t("bert.why_no_random")
            if rnd == 0
            else t("bert.why_801010", all_random=p * rnd, all_keep=p * keep, all_mask=p * rep, rest=1 - p)
        )
        st.subheader(t("bert.wwm_title"))
        for src, example, mode in [
            ("news_en", t("bert.wwm_en"), "pieces"),
            ("peoples_daily_zh", t("bert.wwm_zh"), "jieba"),
        ]:
            for ww, label in ((None, "bert.wwm_piece"), (mode, "bert.wwm_word")):
                m = sample_masks(wordpiece(src), example, 6, probability=0.3, seed=seed, whole_word=ww)
                _grid(m, t(label), f"wwm_{src}_{ww}", f"bert-wwm-{src}-{ww or 'piece'}", legend=False)
    except (BertInputError, CorpusError, ValueError) as e:
        error(e)
    show_code(
        mask_tokens,
        [
            "tests/engine/bert/test_masking.py::test_rates_match_15_percent_and_80_10_10",
            "tests/engine/bert/test_masking.py::test_agrees_with_transformers_collator",
            "tests/engine/bert/test_masking.py::test_whole_word_masking_never_splits_a_word_and_matches_collator",
            "tests/engine/bert/test_masking.py::test_chinese_whole_word_masking_follows_jieba_words",
        ],
    )
    qa_panel(["bert-06-2", "bert-11", "bert-12", "bert-06-3", "bert-06-1"])
