"""GloVe: co-occurrence counts → probability ratios → f(x) → AdaGrad live → vs word2vec and LSA → SVD vs autoencoder.

The entry script draws the corpus inputs every tab shares, counts once, then routes to the open tab (one module per
tab code: views/glove/<code>.py)."""

import hashlib

import streamlit as st

from engine.core import corpus as C
from engine.embeddings.glove import GloveInputError
from ui.i18n import current_lang, t
from ui.tabs import show_tabs
from ui.widgets import bound, qa_panel
from views.glove import compare, counts, ratios, step, svd, train
from views.glove.common import get_counts, load, load_upload, trained_glove

SOURCES = [*C.CORPORA, "upload"]
SIZES = [10_000, 30_000, 100_000, 300_000, 1_000_000]
TAB_CODES = ("counts", "ratios", "train", "compare", "svd", "step")  # ?glove_tab=train opens the training tab
DEFAULTS = {  # heatmap words; i, j and probe words k for the ratio table
    "toy_en": ("king queen palace throne car bus road station bread tea", "king", "car", "palace road the flower"),
    "toy_zh": ("国王 王后 宫殿 王位 汽车 公交车 公路 车站 面包 茶", "国王", "汽车", "宫殿 公路 的 花"),
    "news_en": ("he she his her water oil gas market said police", "he", "she", "his her said oil"),
    "peoples_daily_zh": ("经济 政治 增长 民主 北京 上海 发展 工作 中国 人民", "经济", "政治", "增长 民主 的 工作"),
}

st.title(t("glove.title"))
st.markdown(t("glove.intro"))
c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 1, 1])
src_labels = [t(f"glove.src_{name}") for name in SOURCES]  # labels fixed in the script thread (AppTest re-formats)
src = bound(
    c1.selectbox,
    t("glove.corpus"),
    range(len(SOURCES)),
    format_func=lambda i: src_labels[i],
    index=int(current_lang() == "zh"),
    key="glove_corpus",
)
size = bound(c2.select_slider, t("glove.size"), SIZES, value=100_000, key="glove_size", format_func=lambda n: f"{n:,}")
window = bound(c3.slider, t("glove.window"), 1, 15, 10, key="glove_window")
min_count = bound(c4.number_input, t("glove.min_count"), 1, 100, 5, key="glove_min_count")
dw = bound(c5.toggle, t("glove.distance"), True, key="glove_dw", help=t("glove.distance_help"))
name, corp, cnt = SOURCES[src], None, None
try:
    if name == "upload":
        up = st.file_uploader(t("glove.upload"), type=["txt", "md", "csv"], key="glove_upload")
        if up is None:
            st.info(t("glove.upload_hint"))
        else:
            corp, key = load_upload(up.getvalue()), (hashlib.sha1(up.getvalue()).hexdigest(),)
    else:
        corp, key = load(name, size), (name, size)
    if corp is not None:
        ckey = (*key, window, int(min_count), dw)
        cnt = get_counts(ckey, corp, window, int(min_count), dw)
        st.caption(
            t(
                "glove.stats",
                tokens=corp.n_tokens,
                V=len(cnt.vocab),
                nnz=cnt.X.nnz,
                seconds=cnt.seconds,
                source=corp.source,
            )
        )
except C.CorpusError as e:
    st.error(t(f"glove.err_corpus_{e.code}"))
except GloveInputError as e:
    st.error(t(f"glove.err_{e.code}"))

if cnt is not None:
    dflt = DEFAULTS.get(name) or (" ".join(cnt.vocab.itos[:10]), *cnt.vocab.itos[:2], " ".join(cnt.vocab.itos[2:6]))
    show_tabs(  # only the open tab runs (a tab switch reruns the page)
        "glove_tab",
        {
            "counts": lambda: counts.render(cnt, dflt),
            "ratios": lambda: ratios.render(cnt, dflt),
            "train": lambda: train.render(cnt, dflt),
            "compare": lambda: compare.render(cnt, ckey, corp, dflt, trained_glove(cnt)),
            "svd": lambda: svd.render(cnt, ckey),
            "step": lambda: step.render(cnt, name),
        },
        [t(f"glove.tab_{n}") for n in TAB_CODES],
    )

st.subheader(t("common.interview_answers"))
qa_panel(["glove-01", "glove-02", "glove-03", "w2v-07", "misc-05"])
