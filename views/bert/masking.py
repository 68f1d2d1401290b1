"""Tab `masking`: the 15% / 80-10-10 recipe sampled 1000 times on one sentence, its measured shares against the
targets, and piece vs whole-word masking in English and Chinese."""

import functools

import streamlit as st

from engine.bert.masking import binomial_halfwidth, mask_tokens, sample_masks
from engine.bert.model import BertInputError
from engine.core.corpus import CorpusError
from ui.code import show_code
from ui.i18n import t, tl
from ui.predict import estimate_then_see, predict_then_see
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


def mask_share(s: dict) -> float:
    """The prompt's truth: % of all tokens (specials aside) the encoder sees as [MASK], measured by
    engine.bert.masking.sample_masks (targets among tokens × [MASK] among targets)."""
    return 100.0 * s["shares"]["chosen"] * s["shares"]["masked"]


def _share_numbers(s: dict, p: float, rep: float) -> None:
    c = st.columns(3)
    c[0].metric(t("predict.bert_mask_share.measured", n=s["n_words"]), f"{mask_share(s):.1f} %")
    c[1].metric(t("predict.bert_mask_share.theory"), f"{100 * p * rep:.1f} %")
    c[2].metric(t("predict.bert_mask_share.random"), f"{100 * s['shares']['chosen'] * s['shares']['random']:.1f} %")


@functools.lru_cache(maxsize=8)
def follows(first: str, second: str) -> tuple[int, int]:
    """(occurrences of `first` followed by `second`, occurrences of `first`) in jieba's dictionary, each word
    weighted by its frequency: the segmenter whole-word masking uses (engine.bert.masking.jieba_spans)."""
    import jieba

    jieba.dt.check_initialized()
    pair = first + second
    both = seen = 0
    for word, freq in jieba.dt.FREQ.items():
        if freq and first in word:
            seen += freq * word.count(first)
            both += freq * word.count(pair)
    return both, seen


def follow_bucket(both: int, seen: int) -> str:
    """The 琵琶 prompt's truth: how often `first` is followed by `second` (high > 80 %, low < 20 %)."""
    share = both / max(seen, 1)
    return "high" if share > 0.8 else "low" if share < 0.2 else "mid"


def pipa_prompt() -> None:
    pipa, pi = follows("琵", "琶")
    moxing, mo = follows("模", "型")
    predict_then_see(
        "bert_pipa",
        t("predict.bert_pipa.prompt"),
        {code: t(f"predict.bert_pipa.{code}") for code in ("high", "mid", "low")},
        follow_bucket(pipa, pi),
        topic="bert",
        reveal=lambda: _pipa_numbers(pipa, pi, moxing, mo),
        explain=t(
            "predict.bert_pipa.why",
            pipa=pipa,
            pi=pi,
            share=pipa / max(pi, 1),
            moxing=moxing,
            mo=mo,
            share2=moxing / max(mo, 1),
        ),
    )


def _pipa_numbers(pipa: int, pi: int, moxing: int, mo: int) -> None:
    c1, c2 = st.columns(2)
    c1.metric(
        t("predict.bert_pipa.pipa"),
        f"{pipa / max(pi, 1):.0%}",
        f"{pipa:,} / {pi:,}",
        delta_color="off",
        delta_arrow="off",
    )
    c2.metric(
        t("predict.bert_pipa.moxing"),
        f"{moxing / max(mo, 1):.0%}",
        f"{moxing:,} / {mo:,}",
        delta_color="off",
        delta_arrow="off",
    )
    st.caption(t("predict.bert_pipa.source"))


def _mask_results(s: dict, p: float, rep: float, rnd: float, V: int) -> None:
    """What answers the [MASK]-share prompt (drawn once it is answered): the shares in numbers, what the encoder
    sees in 10 samples, the measured shares against the recipe, and the note on this split (it quotes p × rep)."""
    sh, keep = s["shares"], max(0.0, 1 - rep - rnd)
    _share_numbers(s, p, rep)
    _grid({k: s[k][:10] for k in ("seen", "fates")}, t("bert.grid_title"), "bert_mask_grid", "bert-masking-grid")
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
        estimate_then_see(  # the grid, the share bars and the note on the split answer it: drawn in the reveal
            "bert_mask_share",
            t("predict.bert_mask_share.prompt", p=p, rep=rep),
            mask_share(s),
            topic="bert",
            reveal=lambda: _mask_results(s, p, rep, rnd, len(tok)),
            tolerance=1.0,
            min_value=0.0,
            max_value=100.0,
            step=0.5,
            fmt="{:.1f} %",
            explain=t("predict.bert_mask_share.why", p=p, rep=rep, prod=p * rep),
            variant=(p, rep, rnd, exact),
        )
        st.subheader(t("bert.wwm_title"))
        pipa_prompt()
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
