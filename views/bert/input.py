"""Tab `input`: a sentence pair through our WordPiece (tokens, ids, segments, positions) and a real BERT
vocabulary, and the embedding sum token + segment + position."""

import pandas as pd
import streamlit as st

from engine.bert.model import BertInputError, embedding_parts, encode_pair
from engine.core.corpus import CorpusError
from engine.pretrained.minilm import load_minilm_tokenizer
from ui.code import show_code
from ui.i18n import t, tl
from ui.widgets import chart, figure, qa_panel
from views.bert.common import error, model, text
from viz import bert as vz


@st.cache_resource(show_spinner=False)
def _minilm_tok():
    return load_minilm_tokenizer()


def render(corpus: str) -> None:
    c1, c2 = st.columns(2)
    with c1:
        a = text("bert.sent_a", "bert_a", t("bert.default_a"))
    with c2:
        b = text("bert.sent_b", "bert_b", t("bert.default_b"))
    try:
        tiny, trained = model(corpus)
        enc = encode_pair(tiny.tokenizer, a, b, tiny.cfg.max_len)
        ref = encode_pair(_minilm_tok(), a, b, 128)
        st.caption(t("bert.vocab_ours", corpus=getattr(tiny, "corpus", corpus), size=len(tiny.tokenizer)))
        rows = [enc["tokens"], enc["input_ids"], enc["token_type_ids"], enc["position_ids"]]
        st.dataframe(pd.DataFrame([[str(v) for v in r] for r in rows], index=tl("bert.enc_rows")), width="stretch")
        st.caption(t("bert.vocab_real"))
        st.dataframe(
            pd.DataFrame([ref["tokens"], [str(v) for v in ref["token_type_ids"]]], index=tl("bert.enc_rows_real")),
            width="stretch",
        )
        names = {k: t(f"bert.part_{k}") for k in ("token", "segment", "position", "sum")}
        chart(
            figure(
                vz.embedding_parts,
                embedding_parts(tiny, enc),
                enc["tokens"],
                names,
                x_title=t("bert.dim"),
                title=t("bert.parts_title" if trained else "bert.parts_untrained"),
            ),
            key="bert_embedding_parts",
            name="bert-embedding-parts",
        )
    except (BertInputError, CorpusError, ValueError) as e:
        error(e)
    show_code(
        embedding_parts, ["tests/engine/bert/test_bert.py::test_input_embedding_is_token_plus_segment_plus_position"]
    )
    show_code(encode_pair, ["tests/engine/bert/test_bert.py::test_wordpiece_matches_bert_tokenizer_on_its_vocab_file"])
    qa_panel(["bert-01", "bert-02", "bert-03"])
