"""ptm-03 / misc-03: what each encoder can see, ptm-02 (one-hot vs distributed vectors) and polysemy: static vs
contextual vectors of a real MiniLM (?ptm_tab=encoders)."""

import streamlit as st

from engine.pretrained import objectives as ob
from engine.pretrained import polysemy
from ui import resources
from ui.code import show_code
from ui.i18n import t, tl
from ui.widgets import bound, chart, figure
from views.pretrained_models import distributed_repr
from viz import pretrained_models as vz


def _minilm():
    return polysemy.Encoder(*resources.minilm())  # read-only, shared with the BERT page


def _polysemy(enc_model) -> None:
    """The same word in two sentences: cosine of its static (input-embedding) vs contextual vectors."""
    pairs = tl("pretrained_models.poly_pairs")  # "word | sentence 1 | sentence 2"
    custom = bound(st.text_input, t("pretrained_models.poly_custom"), "", key="ptm_poly")
    rows, bad = [], []
    for line in ([custom] if custom.strip() else []) + pairs:
        parts_ = [p.strip() for p in line.split("|")]
        try:
            (s1, c1), (s2, c2) = (polysemy.word_vectors(enc_model, s, parts_[0]) for s in parts_[1:3])
            rows.append((parts_[0], polysemy.cosine(s1, s2), polysemy.cosine(c1, c2)))
        except (ValueError, IndexError):
            bad.append(line)
    if bad:
        st.warning(t("pretrained_models.poly_bad", lines="; ".join(bad)))
    if rows:
        fig = vz.grouped_bars(
            [w for w, *_ in rows],
            {
                t("pretrained_models.static"): [r[1] for r in rows],
                t("pretrained_models.contextual"): [r[2] for r in rows],
            },
            title=t("pretrained_models.poly_chart"),
            x_title=t("pretrained_models.word"),
            y_title="cos",
            text_format=".2f",
        )
        chart(fig, key="ptm_poly_bars", name="static-vs-contextual-cosine")


def _representations(enc_model) -> None:
    """A few documents under four representations (BoW, tf-idf, LSA, MiniLM): their cosine matrices."""
    docs = st.text_area(t("pretrained_models.docs"), t("pretrained_models.docs_default"), key="ptm_docs")
    lines = [d for d in docs.splitlines() if d.strip()][:8]
    try:
        reps = polysemy.representations(lines, enc_model)
    except ValueError:
        st.warning(t("pretrained_models.docs_bad"))
        return
    cols = st.columns(2)
    for i, (name, sim) in enumerate(reps.items()):
        fig = figure(
            vz.cosine_heatmap,
            sim,
            [f"#{j + 1}" for j in range(len(lines))],
            title=t("pretrained_models.doc_cos_title", name=name),
        )
        chart(fig, key=f"ptm_rep_{i}", name=f"document-cosine-{i}", on=cols[i % 2])


@st.fragment  # the tab feeds nothing to the rest of the page: a widget in it reruns this tab only
def render() -> None:
    st.markdown(t("pretrained_models.enc_intro"))
    c = st.columns(4)
    enc = bound(
        c[0].radio, t("pretrained_models.encoder"), ["CNN", "RNN", "Transformer", "MLP"], key="ptm_enc", horizontal=True
    )
    depth = bound(c[1].slider, t("pretrained_models.depth"), 1, 4, 1, key="ptm_depth")
    kernel = bound(c[2].slider, t("pretrained_models.kernel"), 3, 7, 3, 2, key="ptm_kernel")
    n = bound(c[3].slider, t("pretrained_models.length"), 4, 16, 10, key="ptm_len")
    dep = ob.dependency_mask(enc.lower(), n, depth, kernel)
    ok = (dep == ob.dependency_closed_form(enc.lower(), n, depth, kernel)).all()
    fig = figure(
        vz.mask_heatmap,
        dep,
        [f"x{j}" for j in range(n)],
        title=t("pretrained_models.dep_title"),
        x_title=t("pretrained_models.input_pos"),
        y_title=t("pretrained_models.out_pos"),
        yes=t("pretrained_models.sees"),
        no=t("pretrained_models.hidden"),
    )
    chart(fig, key="ptm_dep", name="encoder-receptive-field")
    (st.success if ok else st.error)(t("pretrained_models.dep_check" if ok else "pretrained_models.dep_fail"))
    st.markdown(t("pretrained_models.traits"))
    show_code(
        ob.dependency_mask,
        ["tests/engine/pretrained/test_objectives.py::test_receptive_field_autograd_equals_closed_form"],
    )
    distributed_repr.render()  # ptm-02
    st.subheader(t("pretrained_models.poly_title"))
    st.markdown(t("pretrained_models.poly_intro"))
    if polysemy.model_dir() is None:
        st.warning(t("pretrained_models.poly_missing"))
    elif st.session_state.get("ptm_poly_on") or st.button(t("pretrained_models.poly_load"), key="ptm_poly_btn"):
        st.session_state["ptm_poly_on"] = True
        with st.spinner(t("pretrained_models.poly_loading")):
            enc_model = _minilm()
        _polysemy(enc_model)
        _representations(enc_model)
        show_code(
            polysemy.word_vectors,
            ["tests/engine/interview/test_misc_labs.py::test_static_vectors_identical_contextual_differ"],
        )
        show_code(
            polysemy.representations, ["tests/engine/interview/test_misc_labs.py::test_representations_against_sklearn"]
        )
