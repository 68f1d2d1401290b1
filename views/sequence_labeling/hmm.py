"""Tab `hmm` (?seq_tab=hmm): HMM word segmentation with jieba's, the counted (MLE) or a Baum-Welch model: Viterbi
step by step, the sentence's likelihood and posteriors, the learnt transitions and emissions."""

import zlib

import numpy as np
import pandas as pd
import streamlit as st

from engine.sequence import hmm as H
from ui.code import show_code
from ui.training import training_panel
from ui.widgets import bound, chart, figure
from views.sequence_labeling.common import TRELLIS_CHARS, axes, corpus, ids_to_tags, tt
from viz import sequence as V


def render(text: str) -> None:
    """The model choice and the Baum-Welch training panel (in the script: a panel holds its own polling fragment,
    fragments do not nest), then the decoding fragment."""
    train = corpus()[0]
    st.markdown(tt("problems"))
    choice = bound(
        st.segmented_control,
        tt("model"),
        ["jieba", "MLE", "Baum-Welch"],
        default="jieba",
        required=True,
        key="seq_model",
    )
    st.caption(tt(f"model_{choice.replace('-', '_').lower()}"))
    with st.expander(tt("bw_title"), expanded=choice == "Baum-Welch"):
        iters = bound(st.number_input, tt("bw_iters"), 1, 50, 15, key="seq_bw_iters")
        # short pieces keep one EM iteration fast (the forward-backward loop runs over the longest piece)
        bw_texts = [c for c, _ in H.chunks(train[:150], 40)] + [text[i : i + 40] for i in range(0, len(text), 40)]

        def make_bw():
            cfg = H.BaumWelchConfig(iterations=int(iters), seed=0)
            model = H.em_model(bw_texts, cfg)
            return model, H.baum_welch(model, bw_texts, cfg)

        job = training_panel("seq_bw", make_bw, max_seconds=60)
        st.caption(tt("bw_note"))
    show_code(
        H.baum_welch,
        [
            "tests/engine/sequence/test_hmm.py::test_baum_welch_matches_hmmlearn_and_never_decreases",
            "tests/engine/sequence/test_hmm.py::test_baum_welch_bmes_grammar_on_real_text",
        ],
    )
    decoding_section(choice, text, job)


@st.fragment  # a widget here (the step slider) reruns this section only
def decoding_section(choice: str, text: str, job) -> None:
    _, _, mle, jieba = corpus()
    bw = H.hmm_from_em(job.model) if job is not None and job.usable else None
    if choice == "Baum-Welch" and bw is None:
        st.info(tt("bw_missing"))
    model = {"jieba": jieba, "MLE": mle}.get(choice) or bw or jieba
    unknown = sorted({ch for ch in text if ch not in model.vocab})
    if unknown:
        st.info(tt("unknown", chars=" ".join(unknown[:20])))
    vit = model.viterbi(text)
    st.success(tt("segmentation") + " " + " / ".join(H.tags_to_words(text, ids_to_tags(vit.path))))
    st.subheader(tt("decoding"))
    n = min(len(text), TRELLIS_CHARS)
    if len(text) > TRELLIS_CHARS:
        st.caption(tt("trellis_cut", n=TRELLIS_CHARS))
    part = model.viterbi(text[:n])
    step = st.slider(tt("step"), 1, n, n, key=f"seq_step_{zlib.crc32(text[:n].encode())}") if n > 1 else 1
    path = part.path
    if step < n:  # best path so far: follow the back-pointers from the best node of column `step`
        path = [int(np.argmax(part.delta[step - 1]))]
        for pos in range(step - 1, 0, -1):
            path.append(int(part.backptr[pos, path[-1]]))
        path = path[::-1]
    chart(
        figure(V.trellis, part.delta, part.backptr, text[:n], model.states, step - 1, path, **axes("trellis")),
        key="seq_trellis",
        name="viterbi-trellis",
        data=pd.DataFrame(
            {
                tt("trellis_x"): list(text[: len(path)]),
                tt("trellis_best"): [model.states[s] for s in path],
                **{f"δ({s})": part.delta[: len(path), k] for k, s in enumerate(model.states)},
            }
        ),
    )
    st.caption(tt("trellis_help"))
    show_code(
        H.HMM.viterbi,
        [
            "tests/engine/sequence/test_hmm.py::test_viterbi_forward_backward_equal_brute_force",
            "tests/engine/sequence/test_hmm.py::test_segment_equals_jieba_finalseg",
        ],
    )
    st.subheader(tt("evaluation"))
    _, loglik = model.forward(text)
    st.markdown(tt("p_y", loglik=loglik, chars=len(text)))
    post = model.posteriors(text[:n]).T
    chart(
        figure(V.heatmap, post, list(text[:n]), list(model.states), **axes("post")),
        key="seq_post",
        name="hmm-posteriors",
    )
    show_code(
        H.HMM.posteriors,
        [
            "tests/engine/sequence/test_hmm.py::test_viterbi_forward_backward_equal_brute_force",
            "tests/engine/sequence/test_hmm.py::test_jieba_model_on_short_sentence_equals_brute_force",
        ],
    )
    st.subheader(tt("learning"))
    c1, c2 = st.columns(2)
    states = list(model.states)
    trans = figure(V.heatmap, np.exp(model.log_trans), states, states, **axes("trans"))
    chart(trans, key="seq_trans", name="hmm-transitions", on=c1)
    em = np.exp(model.emissions(text[:n])).T
    emit = figure(V.grouped_bars, list(text[:n]), {s: em[k] for k, s in enumerate(model.states)}, **axes("emit"))
    chart(emit, key="seq_emit", name="hmm-emissions", on=c2)
    show_code(H.train_supervised, ["tests/engine/sequence/test_hmm.py::test_supervised_counts_are_normalised_counts"])
