"""Tab `hs`: hierarchical softmax. The Huffman tree of some word counts, built merge by merge, and one word's path
probability as a product of sigmoids at its inner nodes."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.embeddings.huffman import huffman, parse_counts, path_probability
from ui.code import show_code
from ui.i18n import t
from ui.widgets import bound, chart, figure, qa_panel
from viz import word2vec as vz


@st.fragment
def render() -> None:
    st.markdown(t("word2vec.hs_intro"))
    text = bound(st.text_input, t("word2vec.hs_counts"), t("word2vec.hs_default"), key="w2v_counts")
    try:
        words, counts = parse_counts(text)
    except ValueError:
        st.warning(t("word2vec.hs_bad_counts"))
        words, counts = parse_counts(t("word2vec.hs_default"))
    tree = huffman(counts)
    h1, h2 = st.columns([1, 2])
    step = h1.slider(t("word2vec.hs_step"), 0, len(tree.merges), len(tree.merges), key="w2v_hs_step")
    pick = h1.selectbox(t("word2vec.hs_word"), range(len(words)), format_func=lambda i: words[i], key="w2v_hs_pick")
    if step < len(tree.merges):
        node = lambda i: words[i] if i < len(words) else f"θ{i - len(words)}"  # noqa: E731
        m = tree.merges[step]
        h1.caption(t("word2vec.hs_next", a=node(m.small), b=node(m.large), node=f"θ{m.step}", count=m.count))
    h1.dataframe(
        pd.DataFrame(
            {
                t("word2vec.word"): words,
                t("word2vec.count"): counts,
                t("word2vec.code"): ["".join(map(str, c)) for c in tree.codes],
                t("word2vec.length"): tree.code_lengths(),
            }
        ),
        hide_index=True,
    )
    chart(
        figure(
            vz.huffman_tree,
            tree,
            words,
            counts,
            upto=step,
            highlight=pick if step == len(tree.merges) else None,
            title=t("word2vec.hs_tree_title"),
        ),
        key="w2v_hs_tree",
        name="word2vec-huffman-tree",
        on=h2,
    )
    rng = np.random.default_rng(0)  # random node vectors θ and context vector h: the point is the structure
    syn1, hvec = rng.normal(size=(len(words) - 1, 8)), rng.normal(size=8)
    probs = path_probability(hvec, syn1, tree.codes[pick], tree.points[pick])
    total = sum(float(np.prod(path_probability(hvec, syn1, c, p))) for c, p in zip(tree.codes, tree.points))
    chart(
        figure(
            vz.path_bars,
            [f"θ{p} · {c}" for p, c in zip(tree.points[pick], tree.codes[pick])],
            probs,
            title=t("word2vec.hs_path_title", word=words[pick], p=float(np.prod(probs))),
            x_title=t("word2vec.hs_path_x"),
            y_title=t("word2vec.probability"),
        ),
        key="w2v_hs_path",
        name="word2vec-hs-path",
        on=h2,
    )
    h2.caption(t("word2vec.hs_sum", total=total))
    show_code(path_probability, ["tests/engine/embeddings/test_huffman.py::test_path_probabilities_sum_to_one"])
    show_code(
        huffman,
        [
            "tests/engine/embeddings/test_huffman.py::test_codes_and_points_equal_gensim",
            "tests/engine/embeddings/test_huffman.py::test_prefix_free_kraft_minimal",
        ],
    )
    qa_panel(["w2v-02"])
