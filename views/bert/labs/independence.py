"""Lab bert-12: BERT's limitations: two masked slots predicted independently, and piece vs whole-word masking."""

import streamlit as st

from engine.bert.wwm_pieces import mask_pieces, masked_text, split_share, word_pieces
from engine.labs import independence as ind
from engine.pretrained.minilm import load_minilm_tokenizer
from ui.code import show_code
from ui.i18n import t, tl
from ui.widgets import bound, chart, qa_panel
from viz import bert as vb
from viz.labs import independence as vz

NS = "lab_independence"
DRAWS = 1000


def _t(key, **kw):
    return t(f"{NS}.{key}", **kw)


@st.cache_resource(show_spinner=False)
def _tokenizer():
    return load_minilm_tokenizer()  # a real BERT WordPiece vocabulary (30,522 pieces); read-only


def _joint_part(seed):
    c = st.columns(2)
    tie = bound(c[0].slider, _t("tie"), 0.0, 1.0, 1.0, 0.05, key="bert_independence_tie")
    ny = bound(c[1].slider, _t("new_york"), 0, 100, 40, key="bert_independence_ny")
    joint = ind.city_joint(ind.JointConfig(tie=tie, new_york=float(ny), seed=seed))
    prod = ind.product_of_marginals(joint)
    chart(
        vz.joint_vs_product(
            joint,
            prod,
            ind.FIRST,
            ind.SECOND,
            names=tl(f"{NS}.heat_names"),
            title=_t("heat_title"),
            x_title=_t("slot2"),
            y_title=_t("slot1"),
        ),
        key=f"{NS}_joint",
        name="bert-12-joint-vs-product",
    )
    kl, valid = ind.kl_to_product(joint), ind.city_mask()
    a, b = ind.FIRST.index("New"), ind.SECOND.index("Angeles")
    c = st.columns(3)
    c[0].metric(_t("m_kl"), f"{kl:.3f} nats")
    c[1].metric(
        _t("m_new_angeles"), f"{prod[a, b]:.3f}", _t("m_truth", p=joint[a, b]), delta_color="off", delta_arrow="off"
    )
    c[2].metric(_t("m_bad"), f"{ind.impossible_mass(joint, valid):.1%}")
    pairs = ind.sample_independent(joint, 10, seed)
    st.markdown(
        _t("samples")
        + " "
        + " · ".join(f"{ind.FIRST[i]} {ind.SECOND[j]} {'✓' if valid[i, j] else '✗'}" for i, j in pairs)
    )
    st.success(_t("takeaway_dep", kl=kl) if kl > 1e-9 else _t("takeaway_indep"))


def _wwm_part(seed):
    text = bound(st.text_input, _t("wwm_text"), _t("wwm_default"), key="bert_independence_text", max_chars=500)
    c = st.columns([2, 1])
    p = bound(c[0].slider, _t("p"), 0.05, 0.5, 0.15, 0.01, key="bert_independence_p")
    if c[1].button(_t("resample"), key="bert_independence_resample"):
        st.session_state["bert_independence_draw"] = st.session_state.get("bert_independence_draw", 0) + 1
    draw = seed + st.session_state.get("bert_independence_draw", 0)
    words = word_pieces(text or "", _tokenizer())
    if not words:
        st.warning(_t("err_text"))
        return
    shares = []
    for whole, label in ((False, "piece_title"), (True, "word_title")):
        m = mask_pieces(words, DRAWS, p, whole_word=whole, seed=draw)
        rows = [masked_text(m["pieces"], r) for r in m["chosen"][:6]]
        chart(
            vb.masking_grid(
                rows,
                m["chosen"][:6].astype(int),
                [t("bert.fate_context"), t("bert.fate_masked")],
                title=_t(label),
                x_title=_t("piece"),
                y_title=_t("draw"),
                legend=False,
            ),
            key=f"{NS}_{whole}",
            name=f"bert-12-masking-{'word' if whole else 'piece'}",
        )
        shares.append(split_share(m["chosen"], m["word_of"]))
    if shares[0][1] == 0:
        st.info(_t("no_multi"))
        return
    chart(
        vz.split_bars(
            tl(f"{NS}.split_names"),
            [s for s, _ in shares],
            title=_t("split_title", n=DRAWS),
            y_title=_t("split_y"),
            x_title=_t("split_x"),
        ),
        key=f"{NS}_split",
        name="bert-12-split-words",
    )
    st.success(_t("takeaway_wwm", piece=shares[0][0], word=shares[1][0]))


def render(corpus: str) -> None:
    st.markdown(_t("intro"))
    seed = int(bound(st.number_input, _t("seed"), 0, 1_000_000, 0, key="bert_independence_seed") or 0)
    st.subheader(_t("joint_header"))
    st.markdown(_t("joint_intro"))
    _joint_part(seed)
    show_code(
        ind.kl_to_product,
        [
            "tests/engine/labs/test_lab_independence.py::test_kl_equals_mutual_information",
            "tests/engine/labs/test_lab_independence.py::test_independent_joint_has_zero_kl_and_same_marginals",
        ],
    )
    st.subheader(_t("wwm_header"))
    st.markdown(_t("wwm_intro"))
    _wwm_part(seed)
    show_code(
        mask_pieces,
        [
            "tests/engine/labs/test_lab_independence.py::test_whole_word_masking_never_splits_a_word",
            "tests/engine/labs/test_lab_independence.py::test_word_choice_rate_matches_transformers_collator",
        ],
    )
    qa_panel(["bert-12"])
