"""Embedding projector: every embedding of this session (word2vec, GloVe, LSA, MiniLM's input table) in 2-D or
3-D by PCA, t-SNE or UMAP with a seed, a searched word's neighbours by cosine, two embeddings side by side, and the
vectors exported for gensim and the TensorFlow Embedding Projector.

The entry script draws the inputs every tab shares (embedding, points, method, dimensions, seed, searched word),
then routes to the open tab (one module per tab code: views/projector/<code>.py)."""

import streamlit as st

from engine.embeddings.projector import nearest
from ui.i18n import t
from ui.tabs import show_tabs, url_select
from ui.widgets import bound
from views.projector import compare, export, sources
from views.projector import map as map_tab
from views.projector.common import DIMS, METHODS, View, plain

TAB_CODES = ("map", "compare", "export")  # ?projector_tab=compare opens the side-by-side tab
MAX_QUERY = 60

st.title(t("projector.title"))
st.markdown(t("projector.intro"))
found = sources.available()
codes, labels = [s.code for s in found], [s.label for s in found]
if len(found) == 1:  # MiniLM only: say where to train the others
    st.info(t("projector.nothing_trained"))
    l1, l2, _ = st.columns([1, 1, 3])
    l1.page_link("views/word2vec/page.py", label=t("nav.word2vec"), icon=":material/arrow_forward:")
    l2.page_link(
        "views/glove/page.py",
        label=t("nav.glove"),
        icon=":material/arrow_forward:",
        query_params={"glove_tab": "train"},
    )

c = st.columns([3, 2, 2.6, 1.4, 1])
with c[0]:
    code = url_select(t("projector.embedding"), "projector_emb", codes, labels)
asked = st.query_params.get("projector_emb")
if asked in sources.TRAINED and asked not in codes:  # a link to an embedding this session has not trained
    st.info(t("projector.not_trained", name=t(f"projector.name_{asked}")))
n = bound(c[1].slider, t("projector.points"), 50, 2000, 500, 50, key="projector_n", help=t("projector.points_help"))
method = METHODS[bound(c[2].radio, t("projector.method"), list(METHODS), key="projector_method", horizontal=True)]
dims = DIMS[bound(c[3].radio, t("projector.dims"), list(DIMS), key="projector_dims", horizontal=True)]
seed = bound(c[4].number_input, t("projector.seed"), 0, 10**6, 0, key="projector_seed", help=t("projector.seed_help"))

s = st.columns([3, 2, 2])
typed = bound(s[0].text_input, t("projector.search"), "", max_chars=MAX_QUERY, key="projector_word")
k = bound(s[1].slider, t("projector.k"), 1, 30, 10, key="projector_k")
params = {}
if method == "tsne":
    params["perplexity"] = float(bound(s[2].slider, t("projector.perplexity"), 5, 50, 30, key="projector_perplexity"))
elif method == "umap":
    params["n_neighbors"] = int(bound(s[2].slider, t("projector.umap_k"), 2, 100, 15, key="projector_umap_k"))

source = next(x for x in found if x.code == code)
with st.spinner(t("projector.loading", name=source.label)):
    emb = source.load()
view = View(code, source.label, emb, int(n), method, dims, int(seed), params)
word = (typed or "").strip()[:MAX_QUERY]
if word:
    view.query = emb.lookup(word)
    if view.query is None:
        st.warning(t("projector.unknown", word=plain(word), name=source.label))
    else:
        view.neighbours = nearest(emb, view.query, int(k))
st.caption(t("projector.table_info", name=source.label, words=len(emb), dim=emb.dim))

show_tabs(
    "projector_tab",
    {
        "map": lambda: map_tab.render(view),
        "compare": lambda: compare.render(view, found),
        "export": lambda: export.render(view),
    },
    [t(f"projector.tab_{tab}") for tab in TAB_CODES],
)
