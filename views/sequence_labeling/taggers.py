"""Tab `taggers` (?seq_tab=taggers): the HMMs, a CRF and an MEMM trained on People's Daily tag the same sentence;
their path probabilities and held-out word F1."""

import pandas as pd
import streamlit as st
import torch

from engine.sequence import crf as C
from engine.sequence import hmm as H
from engine.sequence import memm as M
from ui.code import show_code
from ui.training import training_panel
from ui.widgets import bound, chart, figure
from views.sequence_labeling.common import EVAL_LINES, TRELLIS_CHARS, axes, corpus, held_out_f1, hmm_f1, ids_to_tags, tt
from viz import sequence as V

GRAMMAR = (torch.tensor(H.ALLOWED), torch.tensor(H.START_ALLOWED), torch.tensor(H.END_ALLOWED))


def render(text: str) -> None:
    train, _, mle, jieba = corpus()
    st.markdown(tt("three_intro"))
    size = bound(st.number_input, tt("pd_lines"), 100, 5000, 1500, step=100, key="seq_pd_lines")

    def make_pd():
        data = [(c, ["BMES".index(x) for x in tg]) for c, tg in H.chunks(train[: int(size)], 60)]
        vocab = C.build_vocab(c for c, _ in data)
        pair = [cls(vocab, "BMES", 1, *GRAMMAR, seed=0) for cls in (C.CRFTagger, M.MEMMTagger)]
        return pair, C.train_taggers(pair, data, C.TaggerConfig(epochs=2, batch_size=32, lr=0.05))

    pd_job = training_panel("seq_pd", make_pd, max_seconds=90, metric="memm")
    taggers = {"HMM (MLE)": mle, "HMM (jieba)": jieba}
    if pd_job is not None and pd_job.usable:
        taggers.update({m.kind.upper(): m for m in pd_job.model})
    table = {tt("char"): list(text[:TRELLIS_CHARS])}
    for name, m in taggers.items():
        if isinstance(m, H.HMM):  # log P(tags | sentence) = log P(tags, sentence) - log P(sentence)
            tags = H.words_to_tags(m.segment(text, han_only=m is jieba))
            logp = m.path_score(text, ["BMES".index(x) for x in tags]) - m.forward(text)[1]
        else:
            path = m.predict([text])[0]
            tags, logp = ids_to_tags(path), m.path_logprob(text, path)
        table[name] = list(tags[:TRELLIS_CHARS])
        st.markdown(f"**{name}** · {' / '.join(H.tags_to_words(text, tags))} · {tt('path_logp', logp=logp)}")
    st.dataframe(pd.DataFrame(table).T, width="stretch")
    f1 = dict(hmm_f1())
    if pd_job is not None and pd_job.usable:
        key = f"seq_f1_{pd_job.started}"  # scored once per trained pair, kept in this session
        if key not in st.session_state:
            st.session_state[key] = {m.kind.upper(): held_out_f1(m) for m in pd_job.model}
        f1.update(st.session_state[key])
    chart(figure(V.bars, list(f1), list(f1.values()), **axes("f1")), key="seq_f1", name="tagger-word-f1")
    st.caption(tt("f1_note", n=EVAL_LINES))
    st.markdown(tt("comparison"))
    show_code(
        C.CRF,
        [
            "tests/engine/sequence/test_crf.py::test_crf_equals_pytorch_crf",
            "tests/engine/sequence/test_crf.py::test_log_partition_and_decode_equal_brute_force_with_forbidden_moves",
            "tests/engine/sequence/test_crf.py::test_tagger_learns_on_peoples_daily_sample",
        ],
    )
