"""?glove_tab=step: GloVe trained one co-occurrence cell at a time. Step makes one AdaGrad update of w_i, w̃_j, b_i
and b̃_j for one non-zero X_ij and shows the cell (words, X_ij, f(X_ij)), those rows before and after, their
gradients and the cell's loss before and after; Resume keeps stepping until Pause (engine/embeddings/stepper.py).
x_max and α come from the counts tab (this session's values, else the link's)."""

import numpy as np
import streamlit as st

from engine.core.errors import InputError
from engine.embeddings.glove import Counts, GloveConfig
from engine.embeddings.stepper import GloveStepper
from ui import stepper as step_panel
from ui.code import show_code
from ui.i18n import current_lang, t
from ui.widgets import bound
from views.glove.common import get_counts, load, setting

SMALL_TOKENS = 50_000  # the counts of the corpus above the tabs are used up to this size, else the toy corpus
TOY_SIZE = 100_000  # the page's default size: the toy corpus's counts are shared with the other tabs
TESTS = [
    "tests/engine/embeddings/test_stepper.py::test_glove_update_is_the_parameter_difference_and_adagrad_of_the_gradient",
    "tests/engine/embeddings/test_stepper.py::test_glove_gradient_equals_autograd_and_loss_after_is_closed_form",
    "tests/engine/embeddings/test_stepper.py::test_glove_step_equals_the_engine_adagrad_step_for_that_cell",
]


def _small(counts: Counts, name: str) -> tuple[Counts, str]:
    """The page's counts when the corpus is small, else the toy corpus of the language (same window and counting)."""
    if sum(int(a.size) for a in counts.ids) <= SMALL_TOKENS:
        return counts, name
    toy = f"toy_{current_lang()}"
    min_count = int(setting("glove_min_count", 5, 1, 100))
    key = (toy, TOY_SIZE, counts.window, min_count, counts.distance_weighting)
    return get_counts(key, load(toy, TOY_SIZE), counts.window, min_count, counts.distance_weighting), toy


def render(counts: Counts, name: str) -> None:
    st.markdown(t("stepper.glove_intro"))
    try:
        counts, name = _small(counts, name)
    except InputError:  # the toy corpus with an extreme min_count from the link
        st.error(t("stepper.err_corpus"))
        return
    x_max, alpha = setting("glove_xmax", 100.0, 0.0, 1e6), setting("glove_alpha", 0.75, -2.0, 10.0)
    c = st.columns(4)
    dim = bound(c[0].slider, t("stepper.dim"), 2, 16, 6, key="glove_step_dim")
    lr = bound(c[1].number_input, t("stepper.lr"), 0.001, 1.0, 0.05, step=0.01, format="%.3f", key="glove_step_lr")
    seed = bound(c[2].number_input, t("stepper.seed"), 0, 10**6, 0, key="glove_step_seed")
    speed = bound(c[3].select_slider, t("stepper.speed"), step_panel.SPEEDS, 5, key="glove_step_speed")
    st.caption(t("stepper.glove_corpus", name=name, V=len(counts.vocab), nnz=counts.X.nnz, x_max=x_max, alpha=alpha))
    cfg = GloveConfig(dim=int(dim), x_max=x_max, alpha=alpha, lr=float(lr), seed=int(seed))
    ident = (name, len(counts.vocab), counts.X.nnz, counts.window, counts.distance_weighting)
    step_panel.panel("glove_step", (ident, cfg), lambda: GloveStepper(counts, cfg), draw, int(speed))
    show_code(GloveStepper, TESTS)


def draw(s: GloveStepper) -> None:
    rec, info, itos = s.last, s.last.info, s.vocab.itos
    wi, wj = step_panel.md(itos[info["i"]]), step_panel.md(itos[info["j"]])
    st.markdown(
        t(
            "stepper.glove_cell",
            step=rec.step,
            epoch=info["epoch"],
            i=wi,
            j=wj,
            x=info["x"],
            log_x=info["log_x"],
            f=info["f"],
            before=info["pred_before"],
            after=info["pred_after"],
        )
    )
    step_panel.metrics(rec)
    G = info["gradsq_before"]
    st.caption(t("stepper.adagrad_note", lr=rec.lr, g_w=float(np.mean(G["w"])), g_b=float(G["b"][0, 0])))
    blocks = [
        (f"w · {itos[info['i']]}", _row(rec, "w", "b")),
        (f"w̃ · {itos[info['j']]}", _row(rec, "w_ctx", "b_ctx")),
    ]
    cols = [str(d + 1) for d in range(s.cfg.dim)] + [t("stepper.bias")]
    step_panel.rows_chart(blocks, cols, key="glove_step_rows", name="glove-step-rows")
    step_panel.loss_chart(s, key="glove_step_loss", name="glove-step-loss")


def _row(rec, vec: str, bias: str) -> dict:
    """A vector row with its bias as one last column."""
    return {p: np.r_[getattr(rec, p)[vec][0], getattr(rec, p)[bias][0]] for p in ("before", "after", "grad", "update")}
