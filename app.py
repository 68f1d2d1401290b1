"""NLP Atlas entry point: page config, the language switch and navigation. Nothing else lives here."""

from pathlib import Path

import streamlit as st

from ui.i18n import LANGS, lang_from_locale, t
from ui.learner import sync as sync_learner
from ui.share import share_link

# group -> pages as (file, i18n key under "nav.", icon, url path). A page is listed once its file exists.
NAV = {
    "start": [("views/home/page.py", "home", ":material/explore:", "home")],
    "embeddings": [
        ("views/word2vec/page.py", "word2vec", ":material/scatter_plot:", "word2vec"),
        ("views/glove/page.py", "glove", ":material/grid_on:", "glove"),
        ("views/pretrained_models/page.py", "pretrained_models", ":material/hub:", "pretrained-models"),
        ("views/projector/page.py", "projector", ":material/bubble_chart:", "projector"),
    ],
    "transformers": [
        ("views/transformer/page.py", "transformer", ":material/account_tree:", "transformer"),
        ("views/bert/page.py", "bert", ":material/masks:", "bert"),
    ],
    "sequence": [("views/sequence_labeling/page.py", "sequence_labeling", ":material/timeline:", "sequence-labeling")],
    "interview": [("views/interview/page.py", "interview", ":material/quiz:", "interview")],
}
ROOT = Path(__file__).resolve().parent


@st.cache_resource(show_spinner=False)
def load_engines() -> bool:
    """transformers' first import is not thread-safe (see engine/__init__.py): one session does it, others wait."""
    import gc

    import engine  # noqa: F401

    gc.freeze()  # the imported libraries never die: keep them out of every later full collection
    return True


st.set_page_config(page_title="NLP Atlas", page_icon=":material/explore:", layout="wide")
load_engines()
# Bound to ?lang=; defaults to the browser's locale. (A format_func would break the URL binding in 1.67.)
st.sidebar.segmented_control(
    ":material/translate: English / 中文",
    LANGS,
    key="lang",
    bind="query-params",
    required=True,
    default=lang_from_locale(st.context.locale),
)
# the format of the image every chart's toolbar camera saves (ui.widgets.chart_config reads it)
st.sidebar.segmented_control(t("common.chart_format"), ["png", "svg"], key="chart_format", default="png")
pages = {
    t(f"nav.group_{group}"): [
        st.Page(file, title=t(f"nav.{name}"), icon=icon, url_path=url, default=file == "views/home/page.py")
        for file, name, icon, url in items
        if (ROOT / file).exists()
    ]
    for group, items in NAV.items()
}
page = st.navigation({g: p for g, p in pages.items() if p})
sync_learner()  # a learner code from ?learner= in, the guesses of ui.predict out to their review cards
page.run()
share_link()  # after the page: its bound widgets are in st.query_params by now
