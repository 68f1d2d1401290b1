"""word2vec: train CBOW / skip-gram live, then see why HS, negative sampling, subwords and dense vectors matter."""

import streamlit as st

from engine.core.corpus import CORPORA, CorpusError
from ui.i18n import current_lang, t, tl
from ui.tabs import show_tabs
from ui.widgets import bound
from views.word2vec import common, cost, distributional, fasttext, hs, ns, step, tfidf, train

st.title(t("word2vec.title"))
st.markdown(t("word2vec.intro"))
# the corpus feeds four tabs: it is chosen above them (only the open tab is drawn, ?w2v_tab=<code>)
c1, c2 = st.columns([3, 2])
name = bound(
    c1.selectbox, t("word2vec.corpus"), [*CORPORA, "upload"], index=1 if current_lang() == "zh" else 0, key="w2v_corpus"
)
k_tokens = bound(c2.slider, t("word2vec.max_tokens"), 10, 500, 50, 10, key="w2v_ktok")
corpus, err = None, None
try:
    if name == "upload":
        up = st.file_uploader(t("word2vec.upload"), type=["txt"], key="w2v_upload")
        corpus = common.upload_corpus(up.getvalue()) if up is not None else None
    else:
        corpus = common.get_corpus(name, common.token_cap(name, k_tokens))
except CorpusError as e:
    err = t(f"word2vec.corpus_{e.code}", detail=str(e))
if err:
    st.error(err)
elif corpus is not None:
    st.caption(t("word2vec.corpus_info", tokens=corpus.n_tokens, source=corpus.source))

show_tabs(  # ?w2v_tab=ns opens negative sampling
    "w2v_tab",
    {
        "train": lambda: train.render(corpus, name),
        "hs": hs.render,
        "ns": lambda: ns.render(corpus, name, k_tokens, common.training_seed()),
        "tfidf": lambda: tfidf.render(corpus),
        "cost": cost.render,
        "fasttext": lambda: fasttext.render(corpus),
        "distributional": distributional.render,
        "step": lambda: step.render(corpus, name),
    },
    tl("word2vec.tabs"),
)
