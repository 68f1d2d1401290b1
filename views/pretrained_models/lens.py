"""?ptm_tab=lens: a language-model lens on the shipped SmolLM2-135M. One text, four parts (?lens_part=): the text in
four tokenizers, the next-token distribution with temperature / top-k / top-p and the KV cache, the logit lens, and
input saliency. The model loads behind a button (the perplexity tab's copy, one per server process), never when the
page opens; every part reads the text box above the parts."""

import streamlit as st

from engine.pretrained import lens, smollm
from ui import resources
from ui.code import show_code
from ui.i18n import t, tl
from ui.tabs import show_tabs
from ui.widgets import bound
from views.pretrained_models import lens_layers, lens_saliency, lens_sampling, lens_tokens

DEFAULT_TEXT = "我爱自然语言处理。The capital of France is"


def loaded() -> bool:
    """The model was asked for in this session (here or on the perplexity tab)."""
    return bool(st.session_state.get("lens_on") or st.session_state.get("ptm_gpt_on"))


@st.fragment  # the lens feeds nothing to the rest of the page: a widget in it reruns this tab only
def render() -> None:
    st.markdown(t("lens.intro"))
    if not smollm.available():
        st.warning(t("lens.missing"))
        return
    if not loaded():
        slot = st.empty()
        box = slot.container()
        if not box.button(t("lens.load"), key="lens_load", icon=":material/download:"):
            box.caption(t("lens.load_note"))
            return
        slot.empty()  # loaded from now on: the button goes
    st.session_state["lens_on"] = True
    with st.spinner(t("lens.loading")):
        lm = resources.smollm()
    text = bound(st.text_area, t("lens.text"), value=DEFAULT_TEXT, key="lens_text", max_chars=lens.MAX_CHARS, height=80)
    if not (text or "").strip():
        st.warning(t("lens.err_empty"))
        return
    n_tokens = len(lm.tokenizer(text, add_special_tokens=False)["input_ids"])
    st.caption(t("lens.reads", n=min(n_tokens, lens.MAX_TOKENS), total=n_tokens, cap=lens.MAX_TOKENS))
    show_code(
        lens.encode, ["tests/engine/pretrained/test_lens.py::test_byte_level_pieces_of_chinese_decode_back_to_the_text"]
    )
    show_tabs(  # codes are stable: they end up in links (?ptm_tab=lens&lens_part=saliency)
        "lens_part",
        {
            "tokens": lambda: lens_tokens.draw(lm, text),
            "sampling": lambda: lens_sampling.draw(lm, text),
            "layers": lambda: lens_layers.draw(lm, text),
            "saliency": lambda: lens_saliency.draw(lm, text),
        },
        tl("lens.parts"),
    )
