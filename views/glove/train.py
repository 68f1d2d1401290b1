"""?glove_tab=train: GloVe trained live with AdaGrad (x_max and α come from the counts tab: this session's values,
else the link's), its nearest neighbours while it trains, then a word map of w, w̃ or w + w̃."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.embeddings.glove import Counts, GloVe, GloveConfig, Trained, adagrad_step, self_cosines, train_glove
from engine.embeddings.similarity import neighbours, pca_2d
from ui.code import show_code
from ui.i18n import t
from ui.training import InputError, training_panel
from ui.widgets import bound, chart
from views.glove.common import setting, text_setting, words_of
from viz import glove as V

KINDS = ("w", "w̃", "w + w̃")


def render(counts: Counts, dflt: tuple) -> None:
    x_max, alpha = setting("glove_xmax", 100.0, 0.0, 1e6), setting("glove_alpha", 0.75, -2.0, 10.0)
    st.caption(t("glove.weighting_from_counts", x_max=x_max, alpha=alpha))
    c = st.columns(4)
    dim = bound(c[0].number_input, t("glove.dim"), 1, 300, 50, key="glove_dim")
    lr = bound(c[1].number_input, t("glove.lr"), 0.0, 1.0, 0.05, step=0.01, format="%.3f", key="glove_lr")
    epochs = bound(c[2].number_input, t("glove.epochs"), 1, 100, 50, key="glove_epochs")
    probe = bound(c[3].text_input, t("glove.probe"), "", placeholder=dflt[1], key="glove_probe")
    cfg = GloveConfig(
        dim=int(dim),
        x_max=x_max,
        alpha=alpha,
        lr=lr,
        epochs=int(epochs),
        batch_size=int(np.clip(counts.X.nnz // 8, 256, 4096)),
    )  # few, large steps: cheap on a busy server

    def make_run():
        if cfg.problems():
            raise InputError("; ".join(t(f"glove.bad_{b}") for b in cfg.problems()))
        model = GloVe(len(counts.vocab), cfg.dim, cfg.seed)
        return Trained(model, counts), train_glove(model, counts.pairs, cfg)

    def live(job) -> None:
        known, _ = words_of(probe, dflt[1], job.model.counts.vocab)
        if known:
            nb = neighbours(job.model.model.vectors("sum"), job.model.counts.vocab, known[0], topn=8)
            st.caption(t("glove.live_neighbours", word=known[0]) + " " + " · ".join(f"{w} ({s:.2f})" for w, s in nb))

    job = training_panel("glove", make_run, max_seconds=60, live_view=live)
    show_code(
        adagrad_step,
        [
            "tests/engine/embeddings/test_glove.py::test_one_adagrad_step_by_hand",
            "tests/engine/embeddings/test_glove.py::test_gradients_equal_autograd",
            "tests/engine/embeddings/test_glove.py::test_loss_equals_closed_form_J",
        ],
    )
    if job and job.usable:
        word_map(job.model, dflt)


def word_map(tr: Trained, dflt: tuple) -> None:
    """The counts tab's words on a map of the chosen vectors, with cos(w, w̃) of each."""
    kind = bound(
        st.radio,
        t("glove.kind"),
        range(3),
        index=2,
        horizontal=True,
        key="glove_kind",
        format_func=lambda i: KINDS[i],
    )
    words, _ = words_of(text_setting("glove_words"), dflt[0], tr.counts.vocab)
    if len(words) < 2:
        return
    ids = [tr.counts.vocab.stoi[w] for w in words]
    vecs = tr.model.vectors(("w", "ctx", "sum")[kind])
    a, b = st.columns([3, 2])
    chart(
        V.word_map(pca_2d(vecs[ids]), words, title=t("glove.map_title", kind=KINDS[kind])),
        key="glove_map",
        name="glove-word-map",
        on=a,
    )
    b.dataframe(
        pd.DataFrame({t("glove.word"): words, "cos(w, w̃)": np.round(self_cosines(tr.model, ids), 3)}),
        hide_index=True,
        width="stretch",
    )
    b.caption(t("glove.self_cos_note"))
