"""Predict, then see on the 11 demos (ui/predict.py): for each, the tab opened like a link, the result hidden until
a guess is committed, then drawn, one "guess" event recorded; and the prompt's truth checked against an oracle
that does not go through the view (a reference library, a closed form, brute force or an independent count), so a
wrong or hard-coded answer fails. "The result" is everything on the tab that answers the prompt: the widget's own
numbers and the tab's charts, tables and texts that show the answer (HIDDEN: absent before, drawn after).

Run one page: `pytest tests/views/test_predict_demos.py -k transformer`."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import open_page

from ui.i18n import strings
from ui.predict import EVENTS, PREFIX

pytestmark = pytest.mark.usefixtures("one_torch_thread")
EN = strings("en")


# ---------------------------------------------------------------- helpers
def _pick(at, key: str):
    """The open (unanswered) guess widget of prompt `key`: a radio or a number box keyed predict:<key>[@v]:pick."""
    found = [
        w
        for kind in ("radio", "number_input")
        for w in getattr(at, kind)
        if w.key and w.key.startswith(PREFIX + key) and w.key.endswith(":pick")
    ]
    assert len(found) == 1, (key, [w.key for kind in ("radio", "number_input") for w in getattr(at, kind)])
    return found[0]


def commit(at, key: str, value) -> dict:
    """Answer prompt `key` with `value`, press Commit; returns the answer record the widget stored."""
    w = _pick(at, key)
    sk = w.key[: -len(":pick")]
    w.set_value(value).run()
    at.button(key=f"{sk}:commit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state[sk]


def events(at, key: str) -> list[dict]:
    return [e for e in (at.session_state[EVENTS] if EVENTS in at.session_state else []) if e["ref"] == key]


def metric_labels(at) -> list[str]:
    return [m.label for m in at.metric]


def chart_keys(at) -> set[str]:
    return {el.key for el in at.get("plotly_chart") if el.key}


def texts(at) -> list[str]:
    """Every markdown, caption, info and plain text on the page (what a reader sees)."""
    return [el.value for kind in ("markdown", "caption", "info", "text") for el in getattr(at, kind)]


# the charts of each prompt's tab that answer it: not drawn until the prompt is answered (the audit in
# tests/views/test_charts.py draws them through conftest.open_page(reveal=True))
HIDDEN = {
    "tf_sqrt_dk": {"transformer_scale_hist", "transformer_scale_maxp", "transformer_scale_jac"},
    "tf_ln_bn": {"transformer_bn_means"},
    "tf_pe_rotation": {"transformer_pe_rotation"},
    "w2v_hs_cost": {"w2v_cost_chart"},
    "w2v_noise": {"w2v_ns_noise"},
    "glove_fx": {"glove_f"},
    "bert_mask_share": {"bert_mask_grid", "bert_mask_shares"},
    "bert_pipa": set(),  # the tab has no chart of 琵 / 琶 (the whole-word grids mask another sentence)
    "bert_pooling": {"bert_similarity_hist", "bert_similarity_roc"},
    "seq_label_bias": set(),  # the lattices stay (they are the question), drawn without their best path
    "ptm_shuffle": {"ptm_pplbars"},
}


def hidden(at, key: str) -> None:
    keys = chart_keys(at)
    assert not HIDDEN[key] & keys, (key, sorted(HIDDEN[key] & keys))


def shown(at, key: str) -> None:
    keys = chart_keys(at)
    assert HIDDEN[key] <= keys, (key, sorted(HIDDEN[key] - keys))


def open_tab(page: str, **params):
    at = open_page(f"views/{page}/page.py", "en", **params)
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---------------------------------------------------------------- Transformer
def saturation_oracle(dk: int, n_rows: int = 4000, n_keys: int = 10, seed: int = 123) -> float:
    """Monte Carlo in numpy: rows of 10 unscaled scores q·k, each from its own N(0, 1) vectors; mean largest weight."""
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((n_rows, n_keys, dk))
    k = rng.standard_normal((n_rows, n_keys, dk))
    s = (q * k).sum(-1)
    p = np.exp(s - s.max(1, keepdims=True))
    return float((p / p.sum(1, keepdims=True)).max(1).mean())


def test_transformer_sqrt_dk_saturation():
    at = open_tab("transformer", transformer_tab="attention")  # d_k = 64 by default
    label = EN["predict.tf_sqrt_dk.raw"]
    numbers = EN["transformer.scaling_numbers"].split("{")[0]  # "At d_k = 64: measured var(q·k) ..."
    assert label not in metric_labels(at)
    hidden(at, "tf_sqrt_dk")
    assert not [m for m in texts(at) if m.startswith(numbers)]
    oracle = saturation_oracle(64)
    rec = commit(at, "tf_sqrt_dk", round(oracle, 2))
    assert rec["truth"][0] == pytest.approx(oracle, abs=0.03)  # the widget's truth is the oracle's number
    assert rec["correct"] is True
    assert label in metric_labels(at)
    shown(at, "tf_sqrt_dk")
    assert [m for m in texts(at) if m.startswith(numbers)]
    at.select_slider(key="transformer_scale_dk").set_value(256).run()  # another d_k: another question
    hidden(at, "tf_sqrt_dk")
    (ev,) = events(at, "tf_sqrt_dk")
    assert ev["topic"] == "tf" and ev["correct"] is True


@pytest.mark.parametrize("dk", [4, 1024])
def test_sqrt_dk_truth_follows_d_k(dk):
    from views.transformer.attention import saturation_truth

    assert saturation_truth(dk) == pytest.approx(saturation_oracle(dk), abs=0.03)


def ln_bn_oracle(b=4, t=6, c=6, seed=0) -> str:
    """torch's own batch_norm (training mode, over batch and time) and layer_norm: sample 0 fixed, mates redrawn."""
    import torch
    import torch.nn.functional as F

    g = torch.Generator().manual_seed(seed)
    x0 = torch.randn(1, t, c, generator=g)
    outs = {"bn": [], "ln": []}
    for _ in range(3):
        x = torch.cat([x0, torch.randn(b - 1, t, c, generator=g)])
        flat = x.reshape(-1, c)
        outs["bn"].append(F.batch_norm(flat, None, None, training=True).reshape(b, t, c)[0])
        outs["ln"].append(F.layer_norm(x, (c,))[0])
    moves = {k: float(torch.stack(v).std(0).max()) > 1e-6 for k, v in outs.items()}
    return "both" if all(moves.values()) else "bn" if moves["bn"] else "ln" if moves["ln"] else "neither"


def test_transformer_ln_vs_bn():
    at = open_tab("transformer", transformer_tab="norms")
    label = EN["transformer.drift_bn"]
    assert label not in metric_labels(at)  # the drift numbers answer the prompt: hidden until a guess
    assert EN["transformer.norm_caption"] not in texts(at)  # it says what each norm averages over: the answer
    hidden(at, "tf_ln_bn")
    assert {"transformer_norm_raw", "transformer_norm_bn", "transformer_norm_ln"} <= chart_keys(at)  # the question
    truth = ln_bn_oracle()
    assert truth == "bn"
    rec = commit(at, "tf_ln_bn", "ln")
    assert rec["truth"] == [truth] and rec["correct"] is False
    assert label in metric_labels(at)
    assert EN["transformer.norm_caption"] in texts(at)
    shown(at, "tf_ln_bn")
    (ev,) = events(at, "tf_ln_bn")
    assert ev["correct"] is False and ev["detail"]["guess_code"] == "ln" and ev["topic"] == "misc"


def test_drift_truth_reads_the_engine():
    from views.transformer.norms import drift_truth

    assert [drift_truth({"bn": b, "ln": ln}) for b, ln in ((0.3, 0.0), (0.0, 0.2), (0.1, 0.1), (0.0, 0.0))] == [
        "bn",
        "ln",
        "both",
        "neither",
    ]


def one_matrix_oracle(d: int, k: int, n: int) -> str:
    """Closed-form PE in numpy; least squares for ONE matrix M with M·PE[pos] = PE[pos + k] over every pos."""
    pos = np.arange(n + k)[:, None]
    i = np.arange(0, d, 2)[None, :]
    pe = np.zeros((n + k, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(pos / 10000 ** (i / d)), np.cos(pos / 10000 ** (i / d))
    m, *_ = np.linalg.lstsq(pe[:n], pe[k:], rcond=None)
    return "one" if np.abs(pe[:n] @ m - pe[k:]).max() < 1e-6 else "per_pos"


def test_transformer_pe_rotation():
    at = open_tab("transformer", transformer_tab="positions")  # d = 64, k = 3, 50 positions by default
    label = EN["predict.tf_pe_rotation.err"].format(n=50)
    named = "test_pe_offset_is_a_fixed_rotation"  # a test name that says the answer (under "show the code")
    assert label not in metric_labels(at)
    hidden(at, "tf_pe_rotation")
    assert not [m for m in texts(at) if named in m]
    assert EN["transformer.rot_caption"].split("{")[0] not in " ".join(texts(at))
    truth = one_matrix_oracle(64, 3, 50)
    rec = commit(at, "tf_pe_rotation", truth)
    assert rec["truth"] == [truth] == ["one"] and rec["correct"] is True
    assert label in metric_labels(at)
    shown(at, "tf_pe_rotation")
    assert [m for m in texts(at) if named in m]
    assert len(events(at, "tf_pe_rotation")) == 1


def test_rotation_truth_can_say_no():
    from views.transformer.positions import rotation_error, rotation_truth

    err, _ = rotation_error(16, 5, 30)
    assert rotation_truth(err) == one_matrix_oracle(16, 5, 30) == "one"
    assert rotation_truth(0.5) == "per_pos"


# ---------------------------------------------------------------- word2vec
def hs_cost_oracle(V: int, D: int = 100, N: int = 4) -> str:
    """Mikolov et al. 2013, CBOW: Q = N·D + D·V (softmax) against N·D + D·log2(V) (hierarchical softmax),
    bucketed by order of magnitude."""
    ratio = (N * D + D * V) / (N * D + D * math.log2(V))
    return (
        next(code for code, top in zip(("b1", "b2", "b3", "b4"), (10, 100, 1000, 10_000)) if ratio < top)
        if (ratio < 10_000)
        else "b5"
    )


def test_hs_cost_buckets_against_the_closed_form():
    from engine.embeddings.word2vec import cost_per_example
    from views.word2vec.cost import cost_bucket

    got = [cost_bucket(cost_per_example(V, 100, 4, 500, 5)) for V in (10**3, 10**4, 10**5, 10**6)]
    assert got == [hs_cost_oracle(V) for V in (10**3, 10**4, 10**5, 10**6)] == ["b2", "b3", "b4", "b5"]


def test_word2vec_softmax_vs_hs_cost():
    at = open_tab("word2vec", w2v_tab="cost")  # V = 100,000, D = 100, N = 4 by default
    label = EN["predict.w2v_hs_cost.ratio"]
    assert label not in metric_labels(at)
    hidden(at, "w2v_hs_cost")
    assert not [b for b in at.button if b.key == "w2v_measure"]  # a measured timing answers it too
    rec = commit(at, "w2v_hs_cost", "b3")
    assert rec["truth"] == [hs_cost_oracle(10**5)] and rec["correct"] is False
    assert label in metric_labels(at)
    shown(at, "w2v_hs_cost")
    at.button(key="w2v_measure").click().run()
    assert not at.exception and "w2v_cost_measured" in chart_keys(at)
    (ev,) = events(at, "w2v_hs_cost")
    assert ev["topic"] == "w2v" and ev["correct"] is False and ev["detail"]["truth_code"] == "b4"


def noise_oracle(sentences) -> tuple[str, int, str]:
    """(a rarest word, its count, the bucket of its share at ^0.75 over its raw share), counted with Counter."""
    from collections import Counter

    counts = Counter(w for s in sentences for w in s)
    low = min(counts.values())
    total, total75 = sum(counts.values()), sum(c**0.75 for c in counts.values())
    lift = (low**0.75 / total75) / (low / total)
    bucket = (
        "same"
        if abs(lift - 1) < 1e-9
        else "shrink"
        if lift < 1
        else "lt2"
        if lift < 2
        else "to10"
        if (lift < 10)
        else "gt10"
    )
    return [w for w, c in counts.items() if c == low], low, bucket


def test_word2vec_noise_table_at_075():
    from engine.core.corpus import load_corpus

    at = open_tab("word2vec", w2v_tab="ns")  # the English toy corpus by default
    label = EN["predict.w2v_noise.ratio"]
    lift = EN["word2vec.ns_lift"].split("{")[0]  # the caption quoting the rarest word's two shares
    assert label not in metric_labels(at)
    hidden(at, "w2v_noise")
    assert "w2v_ns_grad" in chart_keys(at)  # the rest of the tab stays
    assert not [m for m in texts(at) if m.startswith(lift)]
    rarest, low, bucket = noise_oracle(load_corpus("toy_en").sentences)
    rec = commit(at, "w2v_noise", "gt10")
    assert rec["truth"] == [bucket] and rec["correct"] is (bucket == "gt10")
    (ev,) = events(at, "w2v_noise")
    word = ev["detail"]["prompt"].split("`")[1]  # the prompt names the word it asks about
    assert word in rarest and f"({low:,} occurrences)" in ev["detail"]["prompt"]
    assert label in metric_labels(at)
    shown(at, "w2v_noise")
    assert [m for m in texts(at) if m.startswith(lift)]


def test_noise_lift_on_a_skewed_vocabulary():
    """A rare word among frequent ones gains a lot (1 vs 10,000: ×~10), so the buckets are reachable."""
    from views.word2vec.ns import lift_bucket, noise_lift

    counts = np.array([10_000, 10_000, 5_000, 1])
    lift = noise_lift(counts, 3)
    total, total75 = counts.sum(), (counts**0.75).sum()
    assert lift == pytest.approx((1 / total75) / (1 / total))
    assert lift_bucket(lift) == "to10" and lift_bucket(noise_lift(counts, 0)) == "shrink"
    assert lift_bucket(noise_lift(np.array([5, 5, 5]), 2)) == "same"


# ---------------------------------------------------------------- GloVe
def f_oracle(x: float, x_max: float, alpha: float) -> float:
    """Pennington et al. 2014, eq. 9: f(x) = (x / x_max)^α if x < x_max, else 1."""
    return (x / x_max) ** alpha if x < x_max else 1.0


def test_glove_weighting_f_of_x():
    at = open_tab("glove", glove_tab="counts")  # x_max = 100, α = 0.75 by default
    label = EN["predict.glove_fx.value"].format(x=10, alpha=0.75)

    def f_table():  # the table of f at a few counts, x = 10 among them
        return [df.value for df in at.dataframe if "x = 10" in df.value.columns]

    assert label not in metric_labels(at)
    hidden(at, "glove_fx")
    assert not f_table()
    rec = commit(at, "glove_fx", 0.1)  # the linear guess (α = 1) is off by 0.078
    assert rec["truth"] == [pytest.approx(f_oracle(10, 100, 0.75))] and rec["correct"] is False
    assert label in metric_labels(at)
    shown(at, "glove_fx")
    (table,) = f_table()
    assert table["x = 10"].iloc[0] == pytest.approx(f_oracle(10, 100, 0.75), abs=5e-4)
    at.number_input(key="glove_xmax").set_value(5.0).run()  # another x_max: another question
    assert not [m for m in metric_labels(at) if m.startswith("f(10)")]
    hidden(at, "glove_fx")
    assert not f_table()
    rec = commit(at, "glove_fx", 1.0)
    assert rec["truth"] == [f_oracle(10, 5, 0.75)] == [1.0] and rec["correct"] is True
    assert [e["correct"] for e in events(at, "glove_fx")] == [False, True]


# ---------------------------------------------------------------- BERT
def test_bert_80_10_10_share_seen_as_mask():
    at = open_tab("bert", bert_corpus="toy_en", bert_tab="masking")  # 15 % selected, 80 % of them [MASK]
    n = [m for m in metric_labels(at) if "[MASK]" in m]
    assert not n
    hidden(at, "bert_mask_share")
    split = EN["bert.why_801010"].split("{")[0]  # "With this split, 12.0% of all tokens become [MASK], ..."
    assert not [m for m in texts(at) if m.startswith(split)]
    rec = commit(at, "bert_mask_share", 12.0)
    shown(at, "bert_mask_share")
    assert [m for m in texts(at) if m.startswith(split)]
    truth = rec["truth"][0]
    (measured,) = [m for m in at.metric if m.label.startswith("Seen as [MASK]")]
    n_tokens = int(measured.label.split("measured, ")[1].split(" tokens")[0].replace(",", ""))
    band = 100 * 4 * math.sqrt(0.12 * 0.88 / n_tokens)  # 4 binomial standard deviations around 15 % × 80 %
    assert abs(truth - 12.0) < band, (truth, band)
    assert rec["correct"] is (abs(12.0 - truth) <= 1.0)
    (ev,) = events(at, "bert_mask_share")
    assert ev["topic"] == "bert" and ev["detail"]["tolerance"] == 1.0


def dictionary_oracle(first: str, second: str) -> tuple[int, int]:
    """Read jieba's dict.txt itself (word, frequency, tag per line): frequency-weighted occurrences of `first`,
    and of `first` followed by `second`."""
    from pathlib import Path

    import jieba

    both = seen = 0
    for line in (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8").splitlines():
        word, freq = line.split(" ")[:2]
        seen += int(freq) * word.count(first)
        both += int(freq) * word.count(first + second)
    return both, seen


def test_pipa_counts_against_the_dictionary_file():
    from views.bert.masking import follow_bucket, follows

    assert follows("琵", "琶") == dictionary_oracle("琵", "琶")
    assert follows("模", "型") == dictionary_oracle("模", "型")
    assert follow_bucket(*follows("琵", "琶")) == "high" and follow_bucket(*follows("模", "型")) == "low"
    assert follow_bucket(1, 2) == "mid"


def test_bert_masking_one_character_of_pipa():
    at = open_tab("bert", bert_corpus="toy_en", bert_tab="masking")
    label = EN["predict.bert_pipa.pipa"]
    assert label not in metric_labels(at)
    assert not [m for m in texts(at) if "琵" in m and "琶" in m and "[MASK]" not in m]  # only the prompt names them
    both, seen = dictionary_oracle("琵", "琶")
    truth = "high" if both / seen > 0.8 else "low" if both / seen < 0.2 else "mid"
    rec = commit(at, "bert_pipa", "mid")
    assert rec["truth"] == [truth] == ["high"] and rec["correct"] is False
    assert label in metric_labels(at)
    (ev,) = events(at, "bert_pipa")
    assert ev["detail"]["guess_code"] == "mid"
    assert any(f"{both:,}" in e.value for e in at.error)  # the one-line why quotes the counts


def auc_oracle() -> dict[str, float]:
    """sklearn's roc_auc_score on the cosines of each pooling (the engine's embed: the ROC AUC is the oracle here)."""
    from sklearn.metrics import roc_auc_score

    from views.bert.similarity import _scores

    scores, y = _scores()
    return {p: roc_auc_score(y, s) for p, s in scores.items()}


def test_bert_cls_vs_mean_pooling():
    at = open_tab("bert", bert_corpus="toy_en", bert_tab="similarity")
    accuracy = EN["bert.sim_result"].split("{")[0]  # "Threshold accuracy: ... AUC: ..."
    assert not [m for m in metric_labels(at) if m.startswith("AUC")]
    hidden(at, "bert_pooling")
    assert not [m for m in texts(at) if m.startswith(accuracy)]
    assert at.radio(key="bert_pool") and at.slider(key="bert_thr")  # the settings stay, bound to the URL
    aucs = auc_oracle()
    best = max(aucs, key=aucs.get)
    rec = commit(at, "bert_pooling", "cls")
    assert rec["truth"] == [best] and rec["correct"] is (best == "cls")
    drawn = {m.label: float(m.value) for m in at.metric if m.label.startswith("AUC")}
    assert sorted(drawn.values()) == pytest.approx(sorted(aucs.values()), abs=6e-4)  # shown to 3 decimals
    assert len(events(at, "bert_pooling")) == 1
    assert HIDDEN["bert_pooling"] <= chart_keys(at)
    assert [m for m in texts(at) if m.startswith(accuracy)]


# ---------------------------------------------------------------- HMM · MEMM · CRF
def lattice_spec(at, key: str) -> dict:
    import json

    return json.loads(next(el for el in at.get("plotly_chart") if el.key == key).proto.spec)


def brute_best(weights: np.ndarray, start: np.ndarray, given_start: bool, mode: str) -> set[str]:
    """Every path scored by itertools.product: MEMM = product of row-normalised weights (times the normalised
    start unless the first state is given), CRF = product of raw weights times start; the best ones as labels."""
    import itertools

    steps, n = weights.shape[0] + 1, weights.shape[1]
    if mode == "memm":
        sums = weights.sum(2, keepdims=True)
        w = np.where(sums > 0, weights / np.where(sums > 0, sums, 1), 0)
        s0 = np.ones(n) if given_start else start / start.sum()
    else:
        w, s0 = weights, start
    scores = {}
    for path in itertools.product(range(n), repeat=steps):
        v = s0[path[0]]
        for t, (a, b) in enumerate(zip(path, path[1:])):
            v *= w[t, a, b]
        scores["-".join(str(s + 1) for s in path)] = v
    top = max(scores.values())
    return {p for p, v in scores.items() if v >= top * (1 - 1e-12)}


@pytest.mark.parametrize("preset", ["经典图 · classic", "共享势 · shared"])
def test_label_bias_path_on_the_lattice(preset):
    from engine.sequence import memm as M
    from views.sequence_labeling.bias import PRESETS

    at = open_tab("sequence_labeling", seq_tab="bias", seq_preset=preset)  # 5 states, 4 steps
    label = EN["predict.seq_label_bias.memm"]
    assert label not in metric_labels(at)
    lattices = ("seq_lattice_memm", "seq_lattice_crf")
    assert set(lattices) <= chart_keys(at)  # the question: both lattices, no best path drawn, no ranked paths
    assert not [a for k in lattices for a in lattice_spec(at, k).get("layout", {}).get("annotations", [])]
    assert not [df for df in at.dataframe if EN["sequence_labeling.path"] in df.value.columns]
    assert EN["sequence_labeling.bias_explain"] not in texts(at)  # it names the presets' best paths
    lat = M.resize(PRESETS[preset](), 5, 4)
    memm = brute_best(lat.weights, lat.start, lat.given_start, "memm")
    options = _pick(at, "seq_label_bias").options
    assert memm & set(options)  # the MEMM's best path is among the choices
    rec = commit(at, "seq_label_bias", "2-2-2-2")
    assert set(rec["truth"]) == memm & set(options) and rec["correct"] is ("2-2-2-2" in memm)
    assert label in metric_labels(at)
    steps = lat.weights.shape[0]  # the best path is drawn: one value written on each of its moves
    assert all(len(lattice_spec(at, k)["layout"]["annotations"]) == steps for k in lattices)
    ranked = [df.value for df in at.dataframe if EN["sequence_labeling.path"] in df.value.columns]
    assert len(ranked) == 2 and ranked[0].iloc[0, 0] in memm  # the MEMM's table ranks its best path first
    assert EN["sequence_labeling.bias_explain"] in texts(at)
    (ev,) = events(at, "seq_label_bias")
    assert ev["topic"] == "misc" and ev["correct"] is False
    if preset.endswith("shared"):  # label bias: the globally normalised CRF disagrees with the MEMM here
        assert brute_best(lat.weights, lat.start, lat.given_start, "crf") == {"2-2-2-2"} and "1-1-1-1" in memm


# ---------------------------------------------------------------- Pretrained models
def ngram_ppl_oracle(train, test, n: int, k: float = 0.1) -> float:
    """An add-k n-gram perplexity written from the formula (n = 1 or 2): </s> predicted, <s> pads, unseen → <unk>."""
    from collections import Counter

    known = {w for s in train for w in s}
    V = len(known) + 2  # + </s> + <unk>

    def events(s):
        words = [w if w in known else "<unk>" for w in s] + ["</s>"]
        hist = ["<s>"] + words[:-1]
        return [((h,) if n == 2 else (), w) for h, w in zip(hist, words)]

    grams, hists = Counter(), Counter()
    for s in train:
        for h, w in events(s):
            grams[h + (w,)] += 1
            hists[h] += 1
    logs = [math.log((grams[h + (w,)] + k) / (hists[h] + k * V)) for s in test if s for h, w in events(s)]
    return math.exp(-sum(logs) / len(logs))


def test_perplexity_of_shuffled_text():
    import random

    from engine.core.corpus import load_corpus

    sents = load_corpus("toy_en").sentences
    train, held = sents[: int(0.9 * len(sents))], sents[int(0.9 * len(sents)) :]
    rng = random.Random(7)  # another shuffle than the view's: the direction must not depend on it
    mixed = [rng.sample(s, len(s)) for s in held]
    at = open_tab("pretrained_models", ptm_tab="perplexity")  # toy_en, bigram, k = 0.1 by default
    label = EN["predict.ptm_shuffle.shuffled"]
    assert label not in metric_labels(at)
    hidden(at, "ptm_shuffle")
    assert "ptm_tok" in chart_keys(at)  # the probe's chart stays: scoring a text of one's own is an experiment
    rec = commit(at, "ptm_shuffle", "same")
    shown(at, "ptm_shuffle")
    assert ngram_ppl_oracle(train, mixed, 2) > ngram_ppl_oracle(train, held, 2)  # the oracle says: up
    assert rec["truth"] == ["up"] and rec["correct"] is False
    real = float(next(m.value for m in at.metric if m.label == EN["predict.ptm_shuffle.real"]))
    assert real == pytest.approx(ngram_ppl_oracle(train, held, 2), abs=0.01)
    at.slider(key="ptm_n").set_value(1).run()  # a unigram model: another question
    assert label not in metric_labels(at)
    hidden(at, "ptm_shuffle")
    rec = commit(at, "ptm_shuffle", "same")
    assert ngram_ppl_oracle(train, mixed, 1) == pytest.approx(ngram_ppl_oracle(train, held, 1), rel=1e-12)
    assert rec["truth"] == ["same"] and rec["correct"] is True
    assert [e["correct"] for e in events(at, "ptm_shuffle")] == [False, True]


# ---------------------------------------------------------------- every prompt in Chinese, through "Just show me"
DEMOS = [  # (page, link params, prompt key)
    ("transformer", {"transformer_tab": "attention"}, "tf_sqrt_dk"),
    ("transformer", {"transformer_tab": "norms"}, "tf_ln_bn"),
    ("transformer", {"transformer_tab": "positions"}, "tf_pe_rotation"),
    ("word2vec", {"w2v_tab": "cost"}, "w2v_hs_cost"),
    ("word2vec", {"w2v_tab": "ns"}, "w2v_noise"),
    ("glove", {"glove_tab": "counts"}, "glove_fx"),
    ("bert", {"bert_corpus": "toy_zh", "bert_tab": "masking"}, "bert_mask_share"),
    ("bert", {"bert_corpus": "toy_zh", "bert_tab": "masking"}, "bert_pipa"),
    ("bert", {"bert_corpus": "toy_zh", "bert_tab": "similarity"}, "bert_pooling"),
    ("sequence_labeling", {"seq_tab": "bias"}, "seq_label_bias"),
    ("pretrained_models", {"ptm_tab": "perplexity"}, "ptm_shuffle"),
]


@pytest.mark.parametrize("page,params,key", DEMOS, ids=[d[2] for d in DEMOS])
def test_just_show_me_in_chinese(page, params, key):
    from conftest import raw_i18n_keys

    at = open_page(f"views/{page}/page.py", "zh", **params)
    before = len(at.metric)
    hidden(at, key)
    sk = _pick(at, key).key[: -len(":pick")]
    at.button(key=f"{sk}:show").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown(at, key)
    assert not raw_i18n_keys(at), raw_i18n_keys(at)
    assert len(at.metric) > before  # the reveal drew its numbers
    assert events(at, key) == []  # not scored, not recorded
    assert at.session_state[sk]["mode"] == "shown"
    assert any(strings("zh")["predict.unscored"].split("{")[0] in m.value for m in at.info)


def test_reveal_all_draws_every_hidden_chart_and_records_nothing():
    """conftest.open_page(reveal=True) (the chart audit's sessions): every prompt of the tab is answered as "Just
    show me" answers it, so what it hides is drawn, also after its inputs change; no guess is recorded."""
    at = open_page("views/bert/page.py", "en", reveal=True, bert_corpus="toy_en", bert_tab="masking")
    assert not at.exception, [e.value for e in at.exception]
    shown(at, "bert_mask_share")
    answers = {k: r for k, r in at.session_state.items() if str(k).startswith(PREFIX) and isinstance(r, dict)}
    assert len(answers) == 2 and {r["mode"] for r in answers.values()} == {"shown"}  # [MASK] share and 琵琶
    at.slider(key="bert_p").set_value(0.3).run()  # another variant: answered again, not asked
    shown(at, "bert_mask_share")
    assert not [b for b in at.button if b.key and b.key.endswith(":commit")]
    assert (at.session_state[EVENTS] if EVENTS in at.session_state else []) == []
