"""Tab `elmo-gpt-bert`: which input words one position can see after n layers in ELMo, GPT and BERT."""

import streamlit as st

from engine.bert.visibility import dependency
from ui.code import show_code
from ui.i18n import t
from ui.widgets import chart, qa_panel
from views.bert.common import text
from viz import bert as vz


def render(corpus: str) -> None:  # the sentence is typed: the page's corpus is not used
    words = text("bert.vis_text", "bert_vis", t("bert.default_vis")).split()[:16]
    if len(words) < 2:
        st.warning(t("bert.err_two_words"))
    else:
        c1, c2 = st.columns(2)
        pos = c1.slider(t("bert.vis_pos"), 0, len(words) - 1, min(4, len(words) - 1), key="bert_pos")
        layers = c2.slider(t("bert.vis_layers"), 1, 4, 2, key="bert_vis_layers")
        kinds = {t(f"bert.kind_{k}"): k for k in ("elmo_fwd", "elmo_bwd", "gpt", "bert")}
        chart(
            vz.visibility(
                {n: dependency(k, len(words), layers) for n, k in kinds.items()},
                words,
                position=pos,
                title=t("bert.vis_title"),
                x_title=t("bert.vis_x"),
                y_title=t("bert.vis_y"),
            ),
            key="bert_visibility",
            name="elmo-gpt-bert-visibility",
        )
    show_code(dependency, ["tests/engine/bert/test_bert.py::test_visibility_masks_match_autograd_dependencies"])
    st.markdown(t("bert.compare_table"))
    qa_panel(["bert-07-1", "bert-07-2", "bert-07-3", "bert-07-4", "bert-08", "bert-09", "bert-10"])
