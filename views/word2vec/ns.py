"""Tab `ns`: negative sampling. The noise distribution (counts to the power 0.75) and the sampler's table, some
drawn negatives, and which output rows one update touches: all V with softmax, k + 1 with negative sampling."""

import numpy as np
import streamlit as st

from engine.core.corpus import build_vocab
from engine.embeddings.negative_sampling import NegativeSampler, noise_distribution
from engine.embeddings.ns_gradient import output_gradient, touched_rows
from ui.code import show_code
from ui.i18n import t
from ui.predict import predict_then_see
from ui.widgets import bound, chart, figure, qa_panel
from views.word2vec.common import bars, get_vocab, token_cap
from viz import word2vec as vz


def _vocab(corpus, name: str, k_tokens: int):
    """The shared corpus's vocabulary (the English toy corpus's without a usable one)."""
    if corpus is not None and name == "upload":
        vocab = build_vocab(corpus.sentences)
    elif corpus is not None:
        vocab = get_vocab(name, token_cap(name, k_tokens))
    else:
        vocab = get_vocab("toy_en", None)
    return vocab if len(vocab) >= 2 else get_vocab("toy_en", None)


POWER = 0.75  # word2vec's noise exponent: the prompt asks about it whatever the slider says
LIFT_CODES = ("shrink", "same", "lt2", "to10", "gt10")


def noise_lift(counts, i: int) -> float:
    """Word i's noise share at ^0.75 over its raw unigram share (engine.embeddings.negative_sampling)."""
    return float(noise_distribution(counts, POWER)[i] / noise_distribution(counts, 1.0)[i])


def lift_bucket(lift: float) -> str:
    """The prompt's truth: shrinks, stays (within rounding), grows under 2×, 2× to 10×, over 10×."""
    if abs(lift - 1.0) < 1e-9:
        return "same"
    return "shrink" if lift < 1 else "lt2" if lift < 2 else "to10" if lift < 10 else "gt10"


def _lift_numbers(vocab, rare: int, M: int, sampler, seed: int) -> None:
    sampler = sampler or NegativeSampler(vocab.counts, POWER, M, seed=seed)
    c = st.columns(4)
    c[0].metric(t("predict.w2v_noise.raw"), f"{noise_distribution(vocab.counts, 1.0)[rare]:.2e}")
    c[1].metric(t("predict.w2v_noise.pow"), f"{noise_distribution(vocab.counts, POWER)[rare]:.2e}")
    c[2].metric(t("predict.w2v_noise.ratio"), f"×{noise_lift(vocab.counts, rare):.2f}")
    c[3].metric(t("predict.w2v_noise.table", M=M), f"{sampler.empirical(len(vocab))[rare]:.2e}")


def _noise_results(vocab_ns, rare: int, power: float, M: int, sampler, seed: int) -> None:
    """What answers the prompt (drawn once it is answered): the rarest word's shares, the noise chart (its last
    bars are the rare words) and the caption that quotes the rarest word's two shares."""
    _lift_numbers(vocab_ns, rare, M, sampler if power == POWER else None, seed)
    top = np.unique(np.r_[0:8, len(vocab_ns) - 4 : len(vocab_ns)].clip(0, len(vocab_ns) - 1))  # frequent + rare
    shares = {
        t("word2vec.ns_raw"): noise_distribution(vocab_ns.counts, 1.0)[top],
        t("word2vec.ns_pow", power=power): noise_distribution(vocab_ns.counts, power)[top],
        t("word2vec.ns_uniform"): np.full(top.size, 1 / len(vocab_ns)),
        t("word2vec.ns_table_share"): sampler.empirical(len(vocab_ns))[top],
    }
    bars(
        [vocab_ns.itos[i] for i in top],
        shares,
        title=t("word2vec.ns_chart"),
        x_title=t("word2vec.word"),
        y_title=t("word2vec.probability"),
        log_y=True,
        key="w2v_ns_noise",
        name="word2vec-noise-distribution",
    )
    st.caption(
        t(
            "word2vec.ns_lift",
            word=vocab_ns.itos[rare],
            raw=noise_distribution(vocab_ns.counts, 1.0)[rare],
            pow=noise_distribution(vocab_ns.counts, power)[rare],
        )
    )


@st.fragment
def render(corpus, name: str, k_tokens: int, seed: int) -> None:
    st.markdown(t("word2vec.ns_intro"))
    s1, s2, s3 = st.columns(3)
    power = bound(s1.slider, t("word2vec.ns_power"), 0.0, 1.0, 0.75, 0.05, key="w2v_power")
    k = bound(s2.slider, t("word2vec.ns_k"), 1, 20, 5, key="w2v_k")
    M = bound(s3.select_slider, t("word2vec.ns_table"), [1000, 10_000, 100_000, 1_000_000], 100_000, key="w2v_M")
    vocab_ns = _vocab(corpus, name, k_tokens)
    rare = len(vocab_ns) - 1
    sampler = NegativeSampler(vocab_ns.counts, power, M, seed=seed)
    predict_then_see(  # the noise chart and its caption answer it: both drawn in the reveal
        "w2v_noise",
        t("predict.w2v_noise.prompt", word=vocab_ns.itos[rare], count=int(vocab_ns.counts[rare])),
        {code: t(f"predict.w2v_noise.{code}") for code in LIFT_CODES},
        lift_bucket(noise_lift(vocab_ns.counts, rare)),
        topic="w2v",
        reveal=lambda: _noise_results(vocab_ns, rare, power, M, sampler, seed),
        explain=t("predict.w2v_noise.why", top=vocab_ns.itos[0], top_ratio=noise_lift(vocab_ns.counts, 0)),
        variant=(name, len(vocab_ns), vocab_ns.itos[rare], int(vocab_ns.counts[rare])),
    )
    show_code(
        NegativeSampler, ["tests/engine/embeddings/test_word2vec.py::test_table_shares_within_one_cell_and_draws_fit"]
    )
    drawn = sampler.draw(k)
    st.markdown(t("word2vec.ns_drawn", k=k) + " " + " ".join(f"`{vocab_ns.itos[i]}`" for i in drawn))
    st.caption(t("word2vec.ns_rows", k=k, rows=k + 1, V=len(vocab_ns)))
    top = np.unique(np.r_[0:8, len(vocab_ns) - 4 : len(vocab_ns)].clip(0, len(vocab_ns) - 1))  # frequent + rare
    rng = np.random.default_rng(seed)  # one (centre, true word) pair with small random vectors
    U, v_c, o = rng.normal(0, 0.1, (len(vocab_ns), 16)), rng.normal(0, 0.1, 16), int(top[min(3, top.size - 1)])
    g_sm, g_ns = output_gradient(U, v_c, o)[0], output_gradient(U, v_c, o, drawn)[0]
    shown = np.union1d(np.arange(min(len(vocab_ns), 300)), np.r_[drawn, o])  # frequent words + every sampled id
    chart(
        figure(
            vz.gradient_rows,
            {
                t("word2vec.grad_softmax"): np.linalg.norm(g_sm, axis=1)[shown],
                t("word2vec.grad_ns", k=k): np.linalg.norm(g_ns, axis=1)[shown],
            },
            [vocab_ns.itos[i] for i in shown],
            x_title=t("word2vec.grad_x", n=shown.size),
            y_title=t("word2vec.grad_y"),
            title=t("word2vec.grad_title", word=vocab_ns.itos[o]),
            colorbar_title="log10 ‖∇‖",
        ),
        key="w2v_ns_grad",
        name="word2vec-ns-gradient-rows",
    )
    st.caption(t("word2vec.grad_note", ns=touched_rows(g_ns).size, sm=touched_rows(g_sm).size, V=len(vocab_ns)))
    show_code(
        output_gradient,
        [
            "tests/engine/embeddings/test_ns_gradient.py::test_ns_touches_exactly_target_and_negatives",
            "tests/engine/embeddings/test_ns_gradient.py::test_softmax_touches_every_row_with_the_closed_form_gradient",
        ],
    )
    qa_panel(["w2v-05"])
