"""ptm-05 / ptm-06: the map of pretrained models and the transfer strategies (?ptm_tab=map): which layers train under
each mode, and how many parameters."""

import streamlit as st

from engine.pretrained import compression as cp
from engine.pretrained import transfer
from engine.pretrained.transfer import MODES, trainable_closed_form
from ui.code import show_code
from ui.i18n import t, tl
from ui.widgets import bound, chart, figure
from viz import pretrained_models as vz


def _taxonomy() -> None:
    """The sunburst of PTMs: branch, leaf, models."""
    rows = [r.partition("/") for r in tl("pretrained_models.taxonomy")]  # "branch/leaf: models"
    branches = list(dict.fromkeys(b for b, _, _ in rows))
    ids = ["PTMs", *branches, *(f"{b}/{leaf}" for b, _, leaf in rows)]
    parents = ["", *(["PTMs"] * len(branches)), *(b for b, _, _ in rows)]
    labels = ["PTMs", *branches, *(leaf for _, _, leaf in rows)]
    fig = figure(vz.sunburst, ids, parents, labels, title=t("pretrained_models.map_title"))
    chart(fig, key="ptm_sun", name="pretrained-models-map")


@st.fragment  # the tab feeds nothing to the rest of the page: a widget in it reruns this tab only
def render() -> None:
    _taxonomy()
    mode = bound(st.radio, t("pretrained_models.transfer_mode"), list(MODES), key="ptm_mode", horizontal=True)
    stage = bound(st.slider, t("pretrained_models.stage"), 1, 4, 2, key="ptm_stage") if mode == "gradual" else 1
    tcfg = cp.MLMConfig(vocab_size=128, n_layers=3)
    shares = transfer.layer_shares(transfer.TransferStrategyClassifier(cp.TinyMLM(tcfg), 2, mode, stage=stage))
    fig = figure(
        vz.layer_diagram,
        tl("pretrained_models.layer_names"),
        shares,
        title=t("pretrained_models.transfer_title", mode=mode),
        x_title="",
        y_title=t("pretrained_models.layer_axis"),
        frozen_label=t("pretrained_models.frozen"),
        trainable_label=t("pretrained_models.trainable"),
    )
    chart(fig, key="ptm_lay", name="transfer-trainable-layers")
    show_code(transfer.layer_shares, ["tests/engine/pretrained/test_compression.py::test_layer_shares_follow_the_mode"])
    counts = {m: trainable_closed_form(tcfg, 2, m, stage) for m in MODES}
    fig = vz.grouped_bars(
        list(counts),
        {t("pretrained_models.trainable"): list(counts.values())},
        title=t("pretrained_models.trainable_title", total=counts["full"]),
        x_title=t("pretrained_models.transfer_mode"),
        y_title="#params",
        log_y=True,
    )
    chart(fig, key="ptm_trainable", name="transfer-trainable-parameters")
    show_code(
        trainable_closed_form,
        [
            "tests/engine/pretrained/test_compression.py::test_trainable_parameters_match_closed_form_and_frozen_stay_frozen"
        ],
    )
    st.markdown(t("pretrained_models.transfer_text"))
