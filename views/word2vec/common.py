"""Helpers the word2vec tabs share: the corpus and vocabulary caches, the probe words of the toy corpora, the
trained vectors, the neighbours table and the training tab's seed (read without drawing that tab)."""

import pandas as pd
import streamlit as st

from engine.core.corpus import build_vocab, corpus_from_text, decode_upload
from ui import resources
from ui.i18n import t
from ui.widgets import chart, figure
from viz import word2vec as vz

PROBES = {  # word groups of the toy corpora (assets/corpora/make_toy_corpora.py) drawn on the live map
    "toy_en": "cat dog kitten puppy horse rabbit | bread rice apple cheese soup noodles | "
    "king queen prince princess duke emperor | car bus train bicycle truck plane | "
    "red blue green yellow black white",
    "toy_zh": "猫 狗 小猫 小狗 马 兔子 | 面包 米饭 苹果 奶酪 汤 面条 | 国王 王后 王子 公主 公爵 皇帝 | "
    "汽车 公交车 火车 自行车 卡车 飞机 | 红色 蓝色 绿色 黄色 黑色 白色",
}


def token_cap(name: str, k_tokens: int) -> int | None:
    """How many tokens of corpus `name` the page reads: a toy corpus whole, a large one `k_tokens` thousand."""
    return None if name.startswith("toy_") else k_tokens * 1000


def get_corpus(name: str, max_tokens: int | None):
    return resources.corpus(name, max_tokens)  # read-only, shared by every session and page


@st.cache_data(show_spinner=False, max_entries=4)
def upload_corpus(data: bytes):
    return corpus_from_text(decode_upload(data))  # tokenising a big upload takes seconds: once per file


@st.cache_resource(show_spinner=False, max_entries=8)
def get_vocab(name: str, max_tokens: int | None):
    return build_vocab(get_corpus(name, max_tokens).sentences)


def vectors(job):
    return job.model.vectors, job.model.vocab


def probe(vocab, name):
    """The probe words of corpus `name` that the vocabulary knows, and the group label of each."""
    groups = [g.split() for g in PROBES.get(name, "").split("|") if g.strip()]
    if not groups:  # any other corpus: frequent words past the function words
        groups = [vocab.itos[20:60]]
    pairs = [(w, f"{g[0]} …") for g in groups for w in g if w in vocab.stoi]
    return [w for w, _ in pairs], [g for _, g in pairs]


def neighbour_table(pairs):
    return pd.DataFrame(pairs, columns=[t("word2vec.word"), t("word2vec.cosine")])


def training_seed() -> int:
    """The training tab's seed (also the sampler's in the negative-sampling tab) without drawing that tab: its
    bound widget's value lives in the session (tab drawn this session) or in the URL (a link)."""
    value = st.session_state.get("w2v_seed", st.query_params.get("w2v_seed", 0))
    try:
        return min(max(int(float(value)), 0), 10**6)
    except (TypeError, ValueError, OverflowError):
        return 0


def bars(categories, series: dict, *, key: str, name: str, **kwargs) -> None:
    """A grouped bar chart (viz.word2vec.grouped_bars: titles, log_y), built once per input, with image export."""
    chart(figure(vz.grouped_bars, categories, series, **kwargs), key=key, name=name)
