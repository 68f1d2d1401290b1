"""Tab `attention`: every head of the tiny BERT or of MiniLM on one text, and one head's weights in detail."""

import streamlit as st

from engine.bert.model import BertInputError, attentions
from engine.core.corpus import CorpusError
from engine.pretrained.minilm import minilm_attentions
from ui.code import show_code
from ui.i18n import t, tl
from ui.widgets import bound, chart, matrix_frame, qa_panel
from views.bert.common import error, minilm, model, text
from viz import bert as vz


def render(corpus: str) -> None:
    sentence = text("bert.att_text", "bert_att", t("bert.default_att"))
    att_models = tl("bert.att_models")  # fixed here: AppTest re-formats options outside the script thread
    which = bound(
        st.radio, t("bert.att_model"), [0, 1], format_func=lambda i: att_models[i], key="bert_attm", horizontal=True
    )
    try:
        if which == 1:
            tokens, att = minilm_attentions(*minilm(), sentence[:1000])
        else:
            tiny, trained = model(corpus)
            tokens, att = attentions(tiny, sentence[:1000])
            if not trained:
                st.caption(t("bert.att_untrained"))
        chart(
            vz.attention_grid(
                att, tokens, title=t("bert.grid_heads"), layer_label=t("bert.layer"), head_label=t("bert.head")
            ),
            key="bert_attention_grid",
            name="bert-attention-heads",
        )
        c1, c2 = st.columns(2)
        layer = c1.slider(t("bert.layer"), 0, att.shape[0] - 1, 0, key="bert_layer") if att.shape[0] > 1 else 0
        head = c2.slider(t("bert.head"), 0, att.shape[1] - 1, 0, key="bert_head") if att.shape[1] > 1 else 0
        chart(
            vz.head_view(att[layer, head], tokens, title=t("bert.head_view", layer=layer, head=head)),
            key="bert_head_view",
            name=f"bert-attention-L{layer}-H{head}",
            data=matrix_frame(att[layer, head], tokens, tokens, corner=t("bert.query_token")),
        )
    except (BertInputError, CorpusError, ValueError) as e:
        error(e)
    show_code(minilm_attentions, ["tests/engine/pretrained/test_minilm.py::test_loads_offline_and_returns_attentions"])
    show_code(attentions, ["tests/engine/bert/test_bert.py::test_lower_case_mask_and_attentions_shape"])
    qa_panel(["bert-01", "bert-03"])
