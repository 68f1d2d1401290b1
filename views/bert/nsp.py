"""Tab `nsp`: next-sentence pairs drawn from the corpus (half IsNext), and the tiny BERT's NSP accuracy."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.bert.masking import binomial_halfwidth
from engine.bert.nsp import IS_NEXT, nsp_pairs
from engine.core.corpus import CorpusError
from ui.code import show_code
from ui.i18n import t, tl
from ui.training import get_job
from ui.widgets import qa_panel
from views.bert.common import docs, error


def render(corpus: str) -> None:
    try:
        pairs = nsp_pairs(docs(corpus), 10_000, np.random.default_rng(0))
        share = float(np.mean([q.label == IS_NEXT for q in pairs]))
        st.metric(
            t("bert.isnext_share"),
            f"{share:.1%}",
            t("bert.ci", ci=binomial_halfwidth(share, len(pairs))),
            delta_color="off",
        )
        st.dataframe(
            pd.DataFrame(
                [
                    (q.a[:150], q.b[:150], t("bert.isnext" if q.label == IS_NEXT else "bert.notnext"))
                    for q in pairs[:10]
                ],
                columns=tl("bert.nsp_cols"),
            ),
            width="stretch",
        )
    except (CorpusError, ValueError) as e:
        error(e)
    show_code(nsp_pairs, ["tests/engine/bert/test_bert.py::test_nsp_pairs_half_next_and_truthful"])
    job = get_job("bert")
    accs = [h.metrics["nsp_acc"] for h in job.history if "nsp_acc" in h.metrics] if job else []
    st.markdown(t("bert.nsp_acc", acc=accs[-1]) if accs else t("bert.nsp_untrained"))
    qa_panel(["bert-04", "bert-05"])
