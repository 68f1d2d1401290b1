"""Tab `step`: skip-gram trained one pair at a time. Step makes one SGD update (negative sampling or hierarchical
softmax) and shows the pair, the rows of W_in and W_out it touched before and after, their gradients and the
pair's loss before and after; Resume keeps stepping until Pause (engine/embeddings/stepper.py)."""

import pandas as pd
import streamlit as st

from engine.embeddings.stepper import Word2VecStepper
from engine.embeddings.word2vec import Word2VecConfig, prepare
from ui import stepper as step_panel
from ui.code import show_code
from ui.i18n import current_lang, t
from ui.widgets import bound
from views.word2vec.common import get_corpus

SMALL_TOKENS = 50_000  # the corpus above the tabs is used up to this size, else the toy corpus of the language
TESTS = [
    "tests/engine/embeddings/test_stepper.py::test_word2vec_update_is_the_parameter_difference_and_minus_lr_grad",
    "tests/engine/embeddings/test_stepper.py::test_word2vec_gradient_equals_autograd_and_loss_after_is_closed_form",
    "tests/engine/embeddings/test_stepper.py::test_word2vec_step_equals_the_engine_training_update_for_that_pair",
]


def render(corpus, name: str) -> None:
    st.markdown(t("stepper.w2v_intro"))
    if corpus is None or corpus.n_tokens > SMALL_TOKENS:
        name = f"toy_{current_lang()}"
        corpus = get_corpus(name, None)
    c = st.columns(4)
    model = bound(c[0].radio, t("stepper.output"), ["NS", "HS"], horizontal=True, key="w2v_step_model")
    dim = bound(c[1].slider, t("stepper.dim"), 2, 16, 6, key="w2v_step_dim")
    window = bound(c[2].slider, t("stepper.window"), 1, 5, 2, key="w2v_step_window")
    k = bound(c[3].slider, t("stepper.negatives"), 1, 10, 3, key="w2v_step_k", disabled=model == "HS")
    c = st.columns(4)
    lr = bound(c[0].number_input, t("stepper.lr"), 0.001, 1.0, 0.25, step=0.05, format="%.3f", key="w2v_step_lr")
    seed = bound(c[1].number_input, t("stepper.seed"), 0, 10**6, 0, key="w2v_step_seed")
    speed = bound(c[2].select_slider, t("stepper.speed"), step_panel.SPEEDS, 5, key="w2v_step_speed")
    zero = bound(c[3].toggle, t("stepper.zero_out"), True, key="w2v_step_zero", help=t("stepper.zero_out_help"))
    st.caption(t("stepper.w2v_corpus", tokens=corpus.n_tokens, name=name))
    cfg = Word2VecConfig(
        hs=model == "HS", dim=int(dim), window=int(window), negative=int(k), lr=float(lr), seed=int(seed), min_count=1
    )

    def build():
        return Word2VecStepper(prepare(corpus.sentences, cfg), cfg, zero_output=bool(zero))

    ident = (corpus.name, corpus.n_tokens, len(corpus.sentences))
    step_panel.panel("w2v_step", (ident, cfg, bool(zero)), build, draw, int(speed))
    show_code(Word2VecStepper, TESTS)


def draw(s: Word2VecStepper) -> None:
    rec, info, itos = s.last, s.last.info, s.vocab.itos
    sent = s.data.sentences[info["sentence"]]
    marked = [
        f"**{step_panel.md(itos[w])}**"
        if p == info["centre_pos"]
        else _code(itos[w])
        if p == info["context_pos"]
        else step_panel.md(itos[w])
        for p, w in enumerate(sent)
    ]
    st.markdown(
        t(
            "stepper.w2v_pair",
            step=rec.step,
            epoch=info["epoch"],
            centre=step_panel.md(itos[info["centre"]]),
            context=_code(itos[info["context"]]),
        )
    )
    st.markdown("> " + " ".join(marked))
    step_panel.metrics(rec)
    hs = rec.kind == "hs"
    out = info["out"]
    table = pd.DataFrame(
        {
            t("stepper.out_row"): [s.row_label("W_out", int(r)) for r in out],
            t("stepper.role"): [
                t("stepper.role_node") if hs else t("stepper.role_target") if n == 0 else t("stepper.role_negative")
                for n in range(out.size)
            ],
            t("stepper.label"): info["labels"],
            "z = uᵀh": info["z_before"],
            t("stepper.sigma_before"): info["sigma_before"],
            t("stepper.sigma_after"): info["sigma_after"],
            "∂L/∂z": info["mask"] * (info["sigma_before"] - info["labels"]),
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(t("stepper.hs_note") if hs else t("stepper.ns_note", skipped=int((info["mask"] == 0).sum())))
    blocks = [(f"W_in · {itos[info['context']]}", _row(rec, "W_in", 0))]
    blocks += [
        (f"W_out · {s.row_label('W_out', int(r))}", _row(rec, "W_out", n)) for n, r in enumerate(rec.rows["W_out"])
    ]
    step_panel.rows_chart(
        blocks, [str(d + 1) for d in range(s.cfg.dim)], key="w2v_step_rows", name="word2vec-step-rows"
    )
    step_panel.loss_chart(s, key="w2v_step_loss", name="word2vec-step-loss")


def _code(word: str) -> str:
    """The context word as inline code (visible in both scripts; italics barely show in Chinese)."""
    return f"`{word.replace('`', '')}`"


def _row(rec, name: str, n: int) -> dict:
    return {p: getattr(rec, p)[name][n] for p in ("before", "after", "grad", "update")}
