"""The lens's first part (?lens_part=tokens): one text in four tokenizers side by side, with pieces, ids and counts.
Our WordPiece is the BERT page's, learnt from the corpus chosen here (ui.resources.bert_wordpiece, shared)."""

import pandas as pd
import streamlit as st

from engine.pretrained import lens
from engine.pretrained.minilm import load_minilm_tokenizer
from ui import resources
from ui.code import show_code
from ui.i18n import t
from ui.widgets import bound, chart, figure
from viz import lens as vz

CORPORA = ("news_en", "peoples_daily_zh", "toy_en", "toy_zh")  # the BERT page's corpora
TESTS = [
    "tests/engine/pretrained/test_lens.py::test_byte_level_pieces_of_chinese_decode_back_to_the_text",
    "tests/engine/pretrained/test_lens.py::test_wordpiece_and_character_pieces",
]


@st.cache_resource(show_spinner=False)
def _minilm_tokenizer():
    return load_minilm_tokenizer()  # only the tokenizer (bert-base-uncased's vocabulary): fast, read-only


def _table(pieces: list, kind: str) -> pd.DataFrame:
    if kind == "bpe":
        return pd.DataFrame(
            {
                t("lens.col_piece"): [p.label for p in pieces],
                t("lens.col_token"): [p.token for p in pieces],
                t("lens.col_bytes"): [p.data.hex(" ") for p in pieces],
                t("lens.col_id"): [p.id for p in pieces],
            }
        )
    if kind == "chars":
        return pd.DataFrame(
            {
                t("lens.col_piece"): [p.label for p in pieces],
                t("lens.col_id"): [f"U+{p.id:04X}" for p in pieces],
            }
        )
    return pd.DataFrame({t("lens.col_piece"): [p.text for p in pieces], t("lens.col_id"): [p.id for p in pieces]})


def draw(lm, text: str) -> None:
    st.markdown(t("lens.tokens_intro"))
    corpus = bound(st.radio, t("lens.corpus"), CORPORA, key="lens_corpus", horizontal=True)
    text = text[: lens.MAX_CHARS]
    with st.spinner(t("lens.tokenizing")):
        ours = resources.bert_wordpiece(corpus)
        minilm = _minilm_tokenizer()
    sets = {
        "wordpiece": (t("lens.tok_ours", corpus=corpus), lens.wordpiece_pieces(ours, text)),
        "minilm": (t("lens.tok_minilm"), lens.wordpiece_pieces(minilm, text)),
        "bpe": (t("lens.tok_bpe"), lens.byte_pieces(lm.tokenizer, text)),
        "chars": (t("lens.tok_chars"), lens.char_pieces(text)),
    }
    names = [name for name, _ in sets.values()]
    counts = [len(pieces) for _, pieces in sets.values()]
    fig = figure(
        vz.token_counts,
        names,
        counts,
        title=t("lens.counts_title", n=len(text)),
        x_title=t("lens.tokenizer"),
        y_title=t("lens.count"),
    )
    chart(
        fig,
        key="lens_counts",
        name="smollm2-lens-token-counts",
        data=pd.DataFrame({t("lens.tokenizer"): names, t("lens.count"): counts}),
    )
    cols = st.columns(2)
    for i, (kind, (name, pieces)) in enumerate(sets.items()):
        with cols[i % 2]:
            st.markdown(f"**{name}** · {t('lens.n_pieces', n=len(pieces))}")
            unk = sum(p.text == "[UNK]" for p in pieces)
            if unk:
                st.caption(t("lens.unknown", n=unk))
            st.dataframe(_table(pieces, kind), hide_index=True, height=240, width="stretch")
    bpe = sets["bpe"][1]
    partial = sum(p.partial for p in bpe)
    st.caption(t("lens.bytes_note", n=partial) if partial else t("lens.bytes_none"))
    show_code(lens.byte_pieces, TESTS)
