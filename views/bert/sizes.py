"""Tab `sizes`: BERT vs ALBERT parameter counts (factorised embeddings, shared layers) and the published presets."""

import pandas as pd
import streamlit as st

from engine.transformer.param_count import PRESETS, Shape, bert_parts
from ui.code import show_code
from ui.i18n import t
from ui.widgets import bound, chart, qa_panel
from viz import bert as vz


def render(corpus: str) -> None:  # shapes typed by hand: the page's corpus is not used
    c = st.columns(5)
    L = bound(c[0].number_input, t("bert.L"), 1, 48, 12, key="bert_L")
    H = bound(c[1].number_input, t("bert.H"), 64, 4096, 768, 64, key="bert_H")
    A = bound(c[2].number_input, t("bert.A"), 1, 64, 12, key="bert_A")
    V = bound(c[3].number_input, t("bert.V"), 100, 250_000, 30522, key="bert_V")
    E = bound(c[4].number_input, t("bert.E"), 16, 4096, 128, 16, key="bert_E")
    if H % A:
        st.warning(t("bert.err_heads"))
    else:
        shapes = {
            "BERT": Shape(vocab=V, hidden=H, layers=L, heads=A),
            "ALBERT": Shape(vocab=V, hidden=H, layers=L, heads=A, embedding=E, shared=True),
            t("bert.albert_noshare"): Shape(vocab=V, hidden=H, layers=L, heads=A, embedding=E),
        }
        parts = {k: bert_parts(v) for k, v in shapes.items()}
        chart(
            vz.param_bars(
                parts,
                {k: t(f"bert.pp_{k}") for k in parts["ALBERT"]},
                title=t("bert.params_title"),
                y_title=t("bert.params"),
                x_title=t("bert.model_axis"),
            ),
            key="bert_param_bars",
            name="bert-albert-parameters",
        )
        st.dataframe(
            pd.DataFrame(
                {
                    k: [f"{bert_parts(s)[p]:,}" if p in bert_parts(s) else "" for p in parts["ALBERT"]]
                    for k, s in PRESETS.items()
                    if k != "tiny"
                },
                index=[t(f"bert.pp_{p}") for p in parts["ALBERT"]],
            ),
            width="stretch",
        )
    show_code(
        bert_parts,
        [
            "tests/engine/bert/test_bert.py::test_bert_parameter_formula_equals_numel_on_meta",
            "tests/engine/bert/test_bert.py::test_known_totals_and_albert",
        ],
    )
    st.markdown(t("bert.dropout_note"))
    qa_panel(["bert-03", "bert-07-5", "misc-13"])
