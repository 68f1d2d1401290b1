"""Tab `bias` (?seq_tab=bias): the label-bias problem. A lattice decoded by an MEMM (locally normalised) and a CRF
(globally normalised), editable; then MEMM and CRF trained on the rib/rob words."""

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

from engine.sequence import crf as C
from engine.sequence import label_bias as D
from engine.sequence import memm as M
from ui.code import show_code
from ui.i18n import t
from ui.predict import answered, predict_then_see
from ui.training import InputError, training_panel
from ui.widgets import bound, chart, figure
from views.sequence_labeling.common import axes, tt
from viz import sequence as V

PRESETS = {"经典图 · classic": M.classic_lattice, "共享势 · shared": M.shared_potential_lattice}
FATAL = ("empty", "not_finite", "negative")  # lattice issues that fall back to the preset's weights


def render() -> None:
    """The lattice fragment, then the rib/rob training (in the script: a training panel holds its own polling
    fragment, fragments do not nest)."""
    lattice_section()
    st.subheader(tt("ribrob_title"))
    st.markdown(tt("ribrob_intro"))
    c1, c2 = st.columns(2)
    n_rib = bound(c1.number_input, "rib", 0, 1000, 60, key="seq_rib")
    n_rob = bound(c2.number_input, "rob", 0, 1000, 40, key="seq_rob")

    def make_lb():
        if n_rib + n_rob == 0:
            raise InputError(tt("no_words"))
        pair = [cls(D.vocab(), D.TAGS, 0, *D.structure(), seed=0) for cls in (M.MEMMTagger, C.CRFTagger)]
        return pair, C.train_taggers(
            pair,
            D.make_dataset(int(n_rib), int(n_rob)),
            C.TaggerConfig(epochs=40, batch_size=200, lr=0.1, window=0),
        )

    lb = training_panel("seq_lb", make_lb, max_seconds=30, metric="crf")
    show_code(
        M.MEMMTagger,
        [
            "tests/engine/sequence/test_memm.py::test_memm_tagger_is_locally_normalised_brute_force",
            "tests/engine/sequence/test_memm.py::test_trained_memm_shows_label_bias_and_crf_does_not",
        ],
    )
    if lb is not None and lb.usable:
        rows = [
            {
                tt("word"): w,
                tt("gold"): " ".join(D.TAGS[i] for i in D.WORDS[w]),
                **{f"{m.kind.upper()}": " ".join(D.TAGS[i] for i in m.predict([w])[0]) for m in lb.model},
                **{f"P {m.kind.upper()}": float(np.exp(m.path_logprob(w, m.predict([w])[0]))) for m in lb.model},
            }
            for w in D.WORDS
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        data = D.make_dataset(int(n_rib), int(n_rob))
        acc = {
            m.kind.upper(): np.mean([p == list(g) for (w, g), p in zip(data, m.predict([w for w, _ in data]))])
            for m in lb.model
        }
        st.markdown(tt("ribrob_acc", memm=acc["MEMM"], crf=acc["CRF"]))
        st.markdown(tt("ribrob_explain"))


def path_label(path) -> str:
    return "-".join(str(s + 1) for s in path)


def path_options(lat: M.Lattice, n: int = 4) -> tuple[list[str], set[str]]:
    """The label-bias prompt: up to `n` paths (sorted) and the correct ones, from the lattice engine. The options
    are the MEMM's best path, the CRF's, the path that stays in state 2 and the MEMM's next best paths that do
    not tie with its best; correct is every option whose MEMM probability ties with the best (Viterbi's)."""
    best, top = M.best_path(lat, "memm")

    def ties(path) -> bool:
        return M.path_value(lat, path, "memm") >= top - 1e-12 * max(1.0, abs(top))

    picks = [best, M.best_path(lat, "crf")[0], (1,) * lat.n_steps]
    picks += [p for p, _, _ in M.enumerate_paths(lat, "memm", top=4 * n) if not ties(p)]
    options = sorted(list(dict.fromkeys(picks))[:n])  # the first n distinct, then in reading order
    return [path_label(p) for p in options], {path_label(p) for p in options if p == best or ties(p)}


def _best_paths(memm, crf) -> None:
    c = st.columns(3)
    c[0].metric(t("predict.seq_label_bias.memm"), path_label(memm))
    c[1].metric(t("predict.seq_label_bias.crf"), path_label(crf))
    c[2].metric(t("predict.seq_label_bias.same"), t(f"predict.seq_label_bias.{'yes' if memm == crf else 'no'}"))


@st.fragment  # feeds nothing to the rest of the page: a widget here reruns this section only
def lattice_section() -> None:
    st.markdown(tt("bias_intro"))
    preset = bound(
        st.segmented_control, tt("preset"), list(PRESETS), default=list(PRESETS)[0], required=True, key="seq_preset"
    )
    c1, c2 = st.columns(2)
    n_states = bound(c1.number_input, tt("n_states"), 2, 6, 5, key="seq_states")
    n_steps = bound(c2.number_input, tt("n_steps"), 2, 6, 4, key="seq_steps")
    base = M.resize(PRESETS[preset](), int(n_states), int(n_steps))
    with st.expander(tt("edit"), expanded=False):
        st.caption(tt("edit_help"))
        cols = [str(s + 1) for s in range(base.n_states)]
        weights = np.stack(
            [
                st.data_editor(
                    pd.DataFrame(w, index=cols, columns=cols), key=f"seq_edit_{preset}_{n_states}_{n_steps}_{i}"
                ).to_numpy(dtype=float, na_value=np.nan)
                for i, w in enumerate(base.weights)
            ]
        )
    issues = M.check_lattice(weights)
    for code in issues:
        (st.error if code in FATAL else st.warning)(tt(f"lat_{code}"))
    if any(code in FATAL for code in issues):
        weights = base.weights
    lat = M.Lattice(weights, base.start, base.given_start)
    options, answer = path_options(lat)
    memm, pm = M.best_path(lat, "memm")
    crf = M.best_path(lat, "crf")[0]
    variant = hashlib.sha1(lat.weights.tobytes() + lat.start.tobytes() + bytes([lat.given_start])).hexdigest()
    predict_then_see(  # the best paths on the lattices and the ranked path tables answer it: drawn once answered
        "seq_label_bias",
        t("predict.seq_label_bias.prompt"),
        dict(zip(options, options)),
        answer,
        topic="misc",
        reveal=lambda: _best_paths(memm, crf),
        explain=t("predict.seq_label_bias.why", memm=path_label(memm), pm=pm, crf=path_label(crf)),
        variant=variant,
    )
    seen = answered("seq_label_bias", variant)  # before: the lattices are the question, drawn without a best path
    c1, c2 = st.columns(2)
    for col, mode in ((c1, "memm"), (c2, "crf")):
        with col:
            best, _ = M.best_path(lat, mode)
            shown = M.memm_probs(lat) if mode == "memm" else lat.weights
            fig = figure(
                V.lattice,
                shown,
                best if seen else None,
                title=tt(f"lat_{mode}_title"),
                x_title=tt("lat_x"),
                y_title=tt("lat_y"),
            )
            chart(fig, key=f"seq_lattice_{mode}", name=f"label-bias-lattice-{mode}")
            if not seen:
                continue
            rows = M.enumerate_paths(lat, mode, top=500)  # best first (scroll); all of them up to 5^4 = 625
            st.dataframe(
                pd.DataFrame(
                    {
                        tt("path"): ["-".join(str(s + 1) for s in p) for p, _, _ in rows],
                        tt(f"value_{mode}"): [v for _, v, _ in rows],
                        tt("prob"): [p for _, _, p in rows],
                    }
                ),
                hide_index=True,
                height=250,
            )
    if lat.given_start:
        st.caption(tt("given_start"))
    states = [str(s + 1) for s in range(lat.n_states)]
    chart(
        figure(V.bars, states, M.out_degree(lat).mean(0), **axes("degree")),
        key="seq_degree",
        name="label-bias-out-degree",
    )
    if seen:  # it names the presets' best paths: the answer
        st.markdown(tt("bias_explain"))
    show_code(
        M.best_path,
        [
            "tests/engine/sequence/test_memm.py::test_classic_lattice_numbers",
            "tests/engine/sequence/test_memm.py::test_shared_potential_lattice_numbers",
            "tests/engine/sequence/test_memm.py::test_random_lattices_dp_equals_enumeration_and_pytorch_crf",
        ],
    )
