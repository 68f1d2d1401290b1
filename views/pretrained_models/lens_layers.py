"""The lens's third part (?lens_part=layers): the logit lens, the top tokens after every layer (the final norm and
the unembedding applied to each layer's residual stream)."""

import pandas as pd
import streamlit as st

from engine.pretrained import lens
from ui.code import show_code
from ui.i18n import t
from ui.widgets import chart
from viz import lens as vz

TESTS = ["tests/engine/pretrained/test_lens.py::test_logit_lens_after_the_last_layer_is_the_models_output"]


@st.cache_data(show_spinner=False, max_entries=32)
def _lens(_lm, text: str) -> lens.Lens:
    return lens.logit_lens(_lm, text)  # _lm: the one shared model, not part of the key


def input_labels(lm, text: str, n: int) -> list[str]:
    """How the last n input tokens read, in context (a piece holding part of a character names the character)."""
    pieces = lens.byte_pieces(lm.tokenizer, text)[-lens.MAX_TOKENS :]
    return [p.label for p in pieces][-n:]


def draw(lm, text: str) -> None:
    st.markdown(t("lens.layers_intro"))
    with st.spinner(t("lens.computing")):
        view = _lens(lm, text)
    tok = lm.tokenizer
    n = len(view.ids)
    tops = [[lens.token_label(tok, int(i), show_whitespace=True) for i in row] for row in view.top_ids[:, :, 0]]
    fig = vz.lens_heatmap(
        view.top_probs[:, :, 0].numpy(),
        tops,
        input_labels(lm, text, n),
        title=t("lens.lens_title", n=n),
        x_title=t("lens.position"),
        y_title=t("lens.layer"),
    )
    chart(fig, key="lens_heat", name="smollm2-logit-lens")
    final = lens.token_label(tok, int(view.top_ids[-1, -1, 0]), show_whitespace=True)
    fig = vz.rank_by_layer(
        view.final_rank[:, -1].tolist(),
        view.final_prob[:, -1].tolist(),
        title=t("lens.rank_title", token=vz.esc(final)),
        x_title=t("lens.layer"),
        y_title=t("lens.rank"),
        y2_title=t("lens.prob"),
        names=(t("lens.rank"), t("lens.prob")),
    )
    rows = [
        {
            t("lens.layer"): layer,
            t("lens.rank"): int(view.final_rank[layer, -1]) + 1,
            **{
                f"{t('lens.top')} {j + 1}": f"{lens.token_label(tok, int(i), show_whitespace=True)} ({float(p):.3f})"
                for j, (i, p) in enumerate(zip(view.top_ids[layer, -1], view.top_probs[layer, -1]))
            },
        }
        for layer in range(view.top_ids.shape[0])
    ]
    chart(fig, key="lens_rank", name="smollm2-logit-lens-rank", data=pd.DataFrame(rows))
    st.caption(t("lens.layers_note", layers=view.top_ids.shape[0] - 1))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=300)
    show_code(lens.logit_lens, TESTS)
