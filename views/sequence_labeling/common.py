"""What the sequence-labelling tabs share: the corpus and its HMMs, held-out F1, chart labels, tag strings."""

import streamlit as st

from engine.sequence import hmm as H
from engine.sequence.metrics import word_prf
from ui.i18n import t

MAX_CHARS, TRELLIS_CHARS, EVAL_LINES = 300, 24, 300
LIVE_CAP_S = 60  # the live CRF / MEMM pair (taggers tab): its time cap; bench/sequence_bench.py times the default slice
# The CRF on the whole training split against CRFsuite, from bench/results/crf.md (bench/crf_bench.py);
# tests/views/sequence_labeling checks these numbers against that file's summary line.
FULL_CRF = {"f1": 0.9427, "f1_peer": 0.9451, "train_s": 192.8, "train_s_peer": 197.9, "full_lines": 17536}


def tt(key: str, **kw) -> str:
    return t(f"sequence_labeling.{key}", **kw)


@st.cache_resource(show_spinner=False)
def corpus():  # read-only once built: People's Daily split, the counted HMM, jieba's HMM
    train, test = H.split_corpus(H.load_peoples_daily())
    return train, test, H.train_supervised(train), H.jieba_hmm()


def held_out_f1(model) -> float:
    held = corpus()[1][:EVAL_LINES]
    preds = (
        [H.words_to_tags(model.segment(c, han_only=model.name == "jieba")) for c, _ in held]
        if isinstance(model, H.HMM)
        else [ids_to_tags(p) for p in model.predict([c for c, _ in held])]
    )
    return word_prf((H.tags_to_words(c, p), H.tags_to_words(c, g)) for (c, g), p in zip(held, preds)).f1


@st.cache_resource(show_spinner=False)
def hmm_f1() -> dict:
    return {"HMM (MLE)": held_out_f1(corpus()[2]), "HMM (jieba)": held_out_f1(corpus()[3])}


def axes(prefix: str) -> dict:
    return dict(title=tt(f"{prefix}_title"), x_title=tt(f"{prefix}_x"), y_title=tt(f"{prefix}_y"))


def ids_to_tags(path) -> str:
    return "".join("BMES"[i] for i in path)
