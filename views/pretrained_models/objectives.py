"""ptm-04: pre-training objectives as visibility masks (?ptm_tab=objectives)."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.pretrained import objectives as ob
from ui.code import show_code
from ui.i18n import t
from ui.widgets import bound, chart, figure
from views.pretrained_models.common import words
from viz import pretrained_models as vz

OBJ = {
    "LM (GPT)": "lm",
    "MLM (BERT)": "mlm",
    "PLM (XLNet)": "plm",
    "UniLM seq2seq": "unilm_s2s",
    "RTD (ELECTRA)": "rtd",
    "ELMo": "elmo",
    "NSP": "nsp",
    "SOP": "sop",
}


def _pairs(obj: str, toks: list[str], order, cfg: ob.ObjectiveConfig, rng) -> list[tuple[str, str]]:
    """(input, target) rows of one objective on the words."""
    if obj in ("mlm", "unilm_s2s"):
        inp, tgt = ob.mask_tokens(toks, sorted(set(toks)) + ["dog", "ran"], cfg, rng)
        return [(a, b or "") for a, b in zip(inp, tgt)]
    if obj == "rtd":
        inp, lab = ob.replaced_token_detection(toks, ["dog", "ran", "blue", "tree"], cfg, rng)
        return [
            (a, t("pretrained_models.replaced") if y else t("pretrained_models.original")) for a, y in zip(inp, lab)
        ]
    if obj == "plm":
        st.caption(t("pretrained_models.order", order=" → ".join(toks[i] for i in order)))
        return [(" ".join(v) or "∅", y) for v, y in ob.plm_pairs(toks, order)]
    if obj in ("nsp", "sop"):
        half = max(1, len(toks) // 2)
        a, b = " ".join(toks[:half]), " ".join(toks[half:]) or "…"
        neg = f"{a} [SEP] {t('pretrained_models.random_sentence')}" if obj == "nsp" else f"{b} [SEP] {a}"
        return [(f"[CLS] {a} [SEP] {b} [SEP]", "1"), (f"[CLS] {neg} [SEP]", "0")]
    return [(" ".join(v) or "∅", y) for v, y in ob.lm_pairs(toks)]


@st.fragment  # the tab feeds nothing to the rest of the page: a widget in it reruns this tab only
def render() -> None:
    st.markdown(t("pretrained_models.obj_intro"))
    c1, c2 = st.columns([3, 2])
    text = bound(c1.text_input, t("pretrained_models.sentence"), "the cat sat on the warm mat", key="ptm_sent")
    name = bound(c2.radio, t("pretrained_models.objective"), list(OBJ), key="ptm_obj", horizontal=True)
    seed = bound(c2.number_input, t("common.seed"), 0, 10_000, 0, key="ptm_seed")
    toks = words(text, 10)
    if not toks:
        return
    obj, rng = OBJ[name], np.random.default_rng(int(seed))
    order = rng.permutation(len(toks))
    mask = ob.visibility(obj, len(toks), order=order, source_len=max(1, len(toks) // 2))
    fig = figure(
        vz.mask_heatmap,
        mask,
        toks,
        title=t("pretrained_models.mask_title", obj=name),
        x_title=t("pretrained_models.key"),
        y_title=t("pretrained_models.query"),
        yes=t("pretrained_models.sees"),
        no=t("pretrained_models.hidden"),
    )
    chart(fig, key="ptm_mask", name="pretraining-objective-mask")
    show_code(
        ob.visibility,
        [
            "tests/engine/pretrained/test_objectives.py::test_lm_mask_is_tril_and_mlm_is_full",
            "tests/engine/pretrained/test_objectives.py::test_permutation_mask_equals_definition",
            "tests/engine/pretrained/test_objectives.py::test_seq2seq_mask",
        ],
    )
    rows = _pairs(obj, toks, order, ob.ObjectiveConfig(mask_prob=0.3, seed=int(seed)), rng)
    st.dataframe(
        pd.DataFrame(rows, columns=[t("pretrained_models.input"), t("pretrained_models.target")]),
        hide_index=True,
        width="stretch",
    )
    st.info(t(f"pretrained_models.note_{obj}"))
    show_code(ob.mask_tokens, ["tests/engine/pretrained/test_objectives.py::test_mask_tokens_rates_and_special_tokens"])
