"""?glove_tab=svd: a linear (or ReLU) autoencoder trained live on a PPMI block, against the best rank-k error an SVD
reaches."""

import numpy as np
import streamlit as st

from engine.embeddings.autoencoder import Autoencoder, AutoencoderConfig, train_autoencoder
from engine.embeddings.glove import Counts, Trained
from engine.embeddings.lsa import rank_k_error, top_ppmi
from ui.code import show_code
from ui.i18n import t
from ui.training import training_panel
from ui.widgets import bound, chart
from viz import glove as V


@st.cache_data(max_entries=16, show_spinner=False)
def get_svd(key: tuple, n: int, k: int, _counts: Counts) -> tuple[np.ndarray, float, float]:
    """The autoencoder tab's PPMI block and its best rank-k error (an SVD), once per corpus setting, n and k."""
    M = top_ppmi(_counts.X, n)
    return (M, *rank_k_error(M, k))


@st.fragment  # its widgets rerun this tab only: nothing else on the page depends on them
def render(counts: Counts, ckey: tuple) -> None:
    V_ = len(counts.vocab)
    c = st.columns(4)
    n = bound(c[0].slider, t("glove.ae_words"), 2, 400, 200, key="glove_ae_n")
    k = bound(c[1].slider, t("glove.ae_k"), 1, 50, 10, key="glove_ae_k")
    act = bound(c[2].radio, t("glove.ae_act"), ["linear", "relu"], horizontal=True, key="glove_ae_act")
    steps = bound(c[3].number_input, t("glove.ae_steps"), 10, 5000, 400, key="glove_ae_steps")
    n = min(n, V_)
    k = min(k, n)
    M, floor, total = get_svd(ckey, n, k, counts)
    st.caption(t("glove.ae_setup", n=n, k=k, floor=floor, total=total))
    cfg = AutoencoderConfig(k=k, activation=act, lr=0.01, steps=int(steps))

    def make_run():
        model = Autoencoder(n, cfg)
        return Trained(model, floor=floor), train_autoencoder(model, M, cfg)

    def live(job) -> None:
        chart(
            V.error_vs_floor(
                [p.loss for p in job.history],
                job.model.floor,
                title=t("glove.ae_chart"),
                x_title=t("common.step"),
                y_title="‖M − M̂‖²_F",
                names=(t("glove.ae_name"), t("glove.svd_name")),
            ),
            key="glove_ae_error",
            name="glove-autoencoder-vs-svd",
        )

    job = training_panel("glove_ae", make_run, max_seconds=30, live_view=live)
    if job is not None and job.usable:
        final = job.history[-1].loss
        st.metric(t("glove.ae_vs_svd"), f"{final / job.model.floor:.3f}×" if job.model.floor > 0 else "—")
    st.markdown(t("glove.ae_md"))
    show_code(
        Autoencoder, ["tests/engine/embeddings/test_lsa.py::test_linear_autoencoder_reaches_svd_error_but_not_below"]
    )
    show_code(rank_k_error, ["tests/engine/embeddings/test_lsa.py::test_top_ppmi_and_rank_k_error"])
