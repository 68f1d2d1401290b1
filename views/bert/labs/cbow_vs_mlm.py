"""Lab bert-06-3: BERT's masked LM vs word2vec's CBOW on one sentence: targets, inputs, static vs contextual."""

import numpy as np
import streamlit as st

from engine.core.corpus import guess_lang, tokenize
from engine.labs.cbow_vs_mlm import MAX_WORDS, bert_row, bert_target_counts, binomial_pmf, cbow_rows
from engine.pretrained import polysemy
from ui import resources
from ui.code import show_code
from ui.i18n import t, tl
from ui.widgets import bound, chart, qa_panel
from viz import bert as vb
from viz.labs import cbow_vs_mlm as vz

NS = "lab_cbow_vs_mlm"
DRAWS = 2000


def _t(key, **kw):
    return t(f"{NS}.{key}", **kw)


@st.cache_data(show_spinner=False, max_entries=64)
def _counts(n, p, seed):
    return bert_target_counts(n, DRAWS, p, seed)


@st.cache_data(show_spinner=False, max_entries=64)
def _cosines(word, s1, s2):
    enc = polysemy.Encoder(*resources.minilm())  # read-only, shared with the other pages
    (a1, c1), (a2, c2) = (polysemy.word_vectors(enc, s, word) for s in (s1, s2))
    return polysemy.cosine(a1, a2), polysemy.cosine(c1, c2)


def _targets_part(words, window, p, seed):
    n = len(words)
    rows = cbow_rows(words, window)
    chart(
        vz.cbow_grid(
            words,
            window,
            title=_t("cbow_title", n=len(rows)),
            x_title=_t("position"),
            y_title=_t("example"),
            names=tl(f"{NS}.cbow_cells"),
        ),
        key=f"{NS}_cbow",
        name="bert-06-3-cbow-targets",
    )
    draws = [bert_row(words, p, seed + i) for i in range(4)]
    chart(
        vb.masking_grid(
            [d[0] for d in draws],
            np.array([d[1] for d in draws]),
            [t(f"bert.fate_{k}") for k in ("context", "masked", "random", "unchanged")],
            title=_t("bert_title", k=len(draws[0][2])),
            x_title=_t("position"),
            y_title=_t("draw"),
        ),
        key=f"{NS}_mlm",
        name="bert-06-3-mlm-targets",
    )
    counts = _counts(n, p, seed)
    chart(
        vz.target_counts(
            counts,
            binomial_pmf(n, p),
            n,
            title=_t("hist_title", draws=DRAWS, n=n),
            x_title=_t("k"),
            y_title=_t("share"),
            observed=_t("observed"),
            expected=_t("expected", p=p),
            cbow=_t("cbow_line"),
        ),
        key=f"{NS}_counts",
        name="bert-06-3-target-counts",
    )
    c = st.columns(3)
    c[0].metric(_t("m_cbow"), n)
    c[1].metric(
        _t("m_bert"),
        f"{counts.mean():.2f}",
        _t("m_expect", e=n * p, sd=counts.std()),
        delta_color="off",
        delta_arrow="off",
    )
    c[2].metric(_t("m_ratio"), f"{n / max(counts.mean(), 1e-9):.1f}×")
    st.success(_t("takeaway_targets", n=n, mean=counts.mean()))
    show_code(
        cbow_rows,
        ["tests/engine/labs/test_lab_cbow_vs_mlm.py::test_cbow_every_word_is_a_target_with_only_its_window_as_input"],
    )
    show_code(
        bert_target_counts,
        [
            "tests/engine/labs/test_lab_cbow_vs_mlm.py::test_bert_target_count_is_binomial",
            "tests/engine/labs/test_lab_cbow_vs_mlm.py::test_bert_row_masks_targets_only",
        ],
    )


def render(corpus: str) -> None:
    st.markdown(_t("intro"))
    text = bound(st.text_input, _t("sentence"), _t("default_sentence"), key="bert_cbow_vs_mlm_text", max_chars=2000)
    c = st.columns(3)
    window = bound(c[0].slider, _t("window"), 1, 5, 2, key="bert_cbow_vs_mlm_window")
    p = bound(c[1].slider, _t("p"), 0.05, 0.5, 0.15, 0.01, key="bert_cbow_vs_mlm_p")
    seed = int(bound(c[2].number_input, _t("seed"), 0, 1_000_000, 0, key="bert_cbow_vs_mlm_seed") or 0)
    all_words = tokenize(text or "", guess_lang(text or ""))
    if len(all_words) < 2:
        st.warning(_t("err_words"))
    else:
        if len(all_words) > MAX_WORDS:
            st.caption(_t("cut", n=MAX_WORDS))
        _targets_part(all_words[:MAX_WORDS], window, p, seed)

    st.subheader(_t("static_title"))
    st.markdown(_t("static_intro"))
    c = st.columns([1, 2, 2])
    word = bound(c[0].text_input, _t("word"), "bank", key="bert_cbow_vs_mlm_word", max_chars=50).strip()
    s1 = bound(c[1].text_input, _t("s1"), _t("default_s1"), key="bert_cbow_vs_mlm_s1", max_chars=500)
    s2 = bound(c[2].text_input, _t("s2"), _t("default_s2"), key="bert_cbow_vs_mlm_s2", max_chars=500)
    if polysemy.model_dir() is None:
        st.warning(_t("err_minilm"))
    elif not word or word.lower() not in (s1 or "").lower() or word.lower() not in (s2 or "").lower():
        st.warning(_t("err_word"))
    else:
        try:
            with st.spinner(_t("loading")):
                static, contextual = _cosines(word, s1, s2)
        except ValueError:
            st.warning(_t("err_pieces"))
        else:
            chart(
                vz.cosine_bars(
                    tl(f"{NS}.cos_names"),
                    [static, contextual],
                    title=_t("cos_title", w=word),
                    y_title=_t("cosine"),
                    x_title=_t("cos_x"),
                ),
                key=f"{NS}_cosine",
                name="bert-06-3-static-vs-contextual",
            )
            st.success(_t("takeaway_static", s=static, c=contextual))
    show_code(
        polysemy.word_vectors,
        ["tests/engine/labs/test_lab_cbow_vs_mlm.py::test_static_vectors_equal_contextual_vectors_differ"],
    )
    qa_panel(["bert-06-3"])
