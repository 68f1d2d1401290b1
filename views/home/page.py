"""Home: what NLP Atlas is, a map of the topics (each links to its page once it exists), classroom use."""

from pathlib import Path

import streamlit as st

from ui.i18n import t

ROOT = Path(__file__).resolve().parents[2]
TOPICS = [
    "word2vec",
    "glove",
    "pretrained_models",
    "projector",
    "transformer",
    "bert",
    "sequence_labeling",
    "interview",
]

st.title(t("home.title"))
st.markdown(t("home.pitch"))

st.subheader(t("home.map_title"))
topics = [name for name in TOPICS if (ROOT / "views" / name / "page.py").exists()]
if not topics:
    st.info(t("home.no_topics"))
cols = st.columns(3)
for i, name in enumerate(topics):
    with cols[i % 3].container(border=True):
        st.page_link(f"views/{name}/page.py", label=t(f"nav.{name}"), icon=":material/arrow_forward:")
        st.caption(t(f"home.blurb.{name}"))

st.subheader(t("home.how_title"))
st.markdown(t("home.how"))
st.subheader(t("home.classroom_title"))
st.markdown(t("home.classroom"))
with st.expander(t("common.sources")):
    st.markdown(t("home.sources"))
