"""misc-04: perplexity (?ptm_tab=perplexity): n-gram language models on a toy corpus, and a real SmolLM2's
next-token distribution and perplexity."""

import random

import streamlit as st

from engine.pretrained import smollm
from engine.pretrained.ngram_lm import NGramConfig, NGramLM, perplexity_from_probs, running_perplexity
from ui import resources
from ui.code import show_code
from ui.i18n import t
from ui.predict import predict_then_see
from ui.widgets import bound, chart, figure
from views.pretrained_models.common import words
from viz import pretrained_models as vz


@st.cache_resource(show_spinner=False)
def _ngrams(name, k):
    sents = resources.corpus(name).sentences
    split = int(0.9 * len(sents))  # read-only models shared by every session: counting is deterministic
    return sents[:split], sents[split:], {m: NGramLM(NGramConfig(n=m, k=k)).fit(sents[:split]) for m in (1, 2, 3)}


def _smollm_section() -> None:
    """A real GPT-style model: the next token after a prompt, and the prompt's perplexity."""
    st.subheader(t("pretrained_models.gpt_title"))
    st.markdown(t("pretrained_models.gpt_intro"))
    if not smollm.available():
        st.warning(t("pretrained_models.gpt_missing"))
        return
    if not (st.session_state.get("ptm_gpt_on") or st.button(t("pretrained_models.gpt_load"), key="ptm_gpt_btn")):
        return
    st.session_state["ptm_gpt_on"] = True
    with st.spinner(t("pretrained_models.gpt_loading")):
        lm = resources.smollm()
    prompt = bound(st.text_input, t("pretrained_models.prompt"), "The capital of France is", key="ptm_prompt")
    if not prompt.strip():
        st.warning(t("pretrained_models.err_no_words"))
        return
    nxt = smollm.next_token_distribution(lm, prompt[:1000], 10)
    fig = vz.next_token_bars(
        [w for w, _ in nxt],
        [p for _, p in nxt],
        title=t("pretrained_models.next_title"),
        x_title=t("pretrained_models.prob"),
        y_title=t("pretrained_models.token"),
    )
    chart(fig, key="ptm_next", name="smollm2-next-token")
    try:
        st.metric(t("pretrained_models.gpt_ppl"), f"{smollm.perplexity(lm, prompt[:4000]):.1f}")
    except ValueError:
        st.caption(t("pretrained_models.gpt_short"))
    show_code(
        smollm.perplexity,
        ["tests/engine/interview/test_misc_labs.py::test_smollm_perplexity_equals_hf_loss_on_a_tiny_llama"],
    )


def shuffled(sentences, seed: int = 0) -> list[list[str]]:
    """Each sentence's words in a seeded random order (the same words, the same sentences)."""
    rng = random.Random(seed)
    return [rng.sample(list(s), len(s)) for s in sentences]


@st.cache_data(show_spinner=False, max_entries=32)
def shuffle_ppl(name: str, k: float, n: int) -> tuple[float, float]:
    """The n-gram LM's perplexity on the held-out sentences, in their order and shuffled (engine NGramLM)."""
    _, held, lms = _ngrams(name, k)
    return lms[n].perplexity(held), lms[n].perplexity(shuffled(held))


def shuffle_truth(real: float, shuf: float) -> str:
    """The prompt's truth: up, same (equal up to rounding) or down."""
    if abs(shuf - real) <= 1e-9 * real:
        return "same"
    return "up" if shuf > real else "down"


def _shuffle_numbers(real: float, shuf: float) -> None:
    c1, c2 = st.columns(2)
    c1.metric(t("predict.ptm_shuffle.real"), f"{real:.2f}")
    c2.metric(t("predict.ptm_shuffle.shuffled"), f"{shuf:.2f}", f"{shuf - real:+.2f}", delta_color="inverse")


def _ppl_results(real: float, shuf: float, held, lms) -> None:
    """What answers the prompt (drawn once it is answered): the two perplexities, and the held-out perplexity of the
    uniform, 1-, 2- and 3-gram models (how much the word order the n-gram models count is worth)."""
    _shuffle_numbers(real, shuf)
    ppl = {t("pretrained_models.uniform"): float(len(lms[1].vocab))}
    ppl.update({f"{m}-gram": lms[m].perplexity(held) for m in (1, 2, 3)})
    fig = vz.grouped_bars(
        list(ppl),
        {"PPL": list(ppl.values())},
        title=t("pretrained_models.ppl_title"),
        x_title=t("pretrained_models.model"),
        y_title="PPL",
        log_y=True,
    )
    chart(fig, key="ptm_pplbars", name="ngram-perplexity")


@st.fragment  # the tab feeds nothing to the rest of the page: a widget in it reruns this tab only
def render() -> None:
    st.markdown(t("pretrained_models.ppl_intro"))
    c = st.columns(4)
    cname = bound(c[0].radio, t("pretrained_models.corpus"), ["toy_en", "toy_zh"], key="ptm_corpus", horizontal=True)
    order_n = bound(c[1].slider, "n", 1, 3, 2, key="ptm_n")
    k = bound(c[2].number_input, t("pretrained_models.addk"), 0.001, 100.0, 0.1, format="%.3f", key="ptm_k")
    _, held, lms = _ngrams(cname, float(k))
    probe = c[3].text_input(t("pretrained_models.probe"), " ".join(held[0]), key="ptm_probe")
    toks = words(probe, 40)
    if toks:
        tp = lms[order_n].token_probs(toks)
        fig = figure(
            vz.token_probabilities,
            [w for w, _ in tp],
            [p for _, p in tp],
            running_perplexity([p for _, p in tp]),
            title=t("pretrained_models.tok_title", ppl=perplexity_from_probs([p for _, p in tp])),
            x_title=t("pretrained_models.token"),
            y_title=t("pretrained_models.prob"),
            ppl_title="PPL",
        )
        chart(fig, key="ptm_tok", name="ngram-token-probabilities")
    real, shuf = shuffle_ppl(cname, float(k), order_n)
    truth = shuffle_truth(real, shuf)
    predict_then_see(  # the two perplexities and the n-gram perplexity chart answer it: drawn in the reveal
        "ptm_shuffle",
        t("predict.ptm_shuffle.prompt", corpus=cname, n=order_n),
        {code: t(f"predict.ptm_shuffle.{code}") for code in ("up", "same", "down")},
        truth,
        topic="misc",
        reveal=lambda: _ppl_results(real, shuf, held, lms),
        explain=t("predict.ptm_shuffle.why_same" if truth == "same" else "predict.ptm_shuffle.why_order"),
        variant=(cname, order_n, float(k)),
    )
    show_code(
        NGramLM,
        [
            "tests/engine/pretrained/test_ngram_lm.py::test_bigram_hand_computed",
            "tests/engine/pretrained/test_ngram_lm.py::test_distribution_sums_to_one",
            "tests/engine/pretrained/test_ngram_lm.py::test_uniform_ppl_is_vocab_size",
        ],
    )
    _smollm_section()
