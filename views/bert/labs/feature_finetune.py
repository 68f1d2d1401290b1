"""bert-07-2 lab: ELMo-style feature extraction (frozen encoder + scalar mix + head) vs BERT-style fine-tuning,
both starting from the session's pre-trained tiny BERT (or a fresh one), trained side by side."""

import math

import pandas as pd
import streamlit as st

from engine.bert.model import TinyBert, TinyBertConfig
from engine.core.corpus import CorpusError
from engine.labs.feature_finetune import (
    MODES,
    FeatureFinetuneClassifier,
    TransferConfig,
    TransferInputError,
    TransferRun,
    encoder_digest,
    make_models,
    train_both,
    word_order_task,
)
from ui import resources
from ui.code import show_code
from ui.i18n import t
from ui.training import InputError, get_job, training_panel
from ui.widgets import bound, chart, qa_panel
from viz.labs import feature_finetune as vz


@st.cache_resource(show_spinner=False)
def _sentences(name: str) -> list[str]:
    return [s for d in resources.bert_documents(name) for s in d]  # the BERT page's documents


@st.cache_resource(show_spinner=False)
def _fresh_bert(name: str) -> TinyBert:
    """An untrained tiny BERT with the page's vocabulary; read-only (every run trains deep copies)."""
    return TinyBert(TinyBertConfig(), resources.bert_wordpiece(name))


def _names() -> dict[str, str]:
    return {m: t(f"lab_feature_finetune.mode_{m}") for m in MODES}


def _draw_accuracy(job) -> None:
    hist = [p for p in job.history if "acc_features" in p.metrics]
    if hist and not job.finished:  # text while training: a chart redrawn every second takes CPU from training
        m = hist[-1].metrics
        st.caption(t("lab_feature_finetune.live", step=hist[-1].step, f=m["acc_features"], t=m["acc_finetune"]))
    elif hist:
        names = _names()
        steps, accs = [p.step for p in hist], {names[m]: [p.metrics[f"acc_{m}"] for p in hist] for m in MODES}
        chart(
            vz.accuracy_curves(
                {n: steps for n in accs},
                accs,
                chance=0.5,
                chance_name=t("lab_feature_finetune.chance"),
                title=t("lab_feature_finetune.acc_title"),
                x_title=t("common.step"),
                y_title=t("lab_feature_finetune.accuracy"),
            ),
            key="bert_ff_accuracy",
            name="bert-07-2-accuracy",
            data=pd.DataFrame({t("common.step"): steps, **accs}),
        )


def render(corpus: str) -> None:
    st.markdown(t("lab_feature_finetune.intro"))
    bert_job = get_job("bert")
    pretrained = bert_job is not None and bert_job.usable and bert_job.model is not None
    source_corpus = getattr(bert_job.model, "corpus", corpus) if pretrained else corpus
    if pretrained:
        st.success(t("lab_feature_finetune.from_session", steps=bert_job.history[-1].step, corpus=source_corpus))
    else:
        st.warning(t("lab_feature_finetune.from_fresh"))
    c = st.columns(3)
    steps = bound(c[0].slider, t("lab_feature_finetune.steps"), 20, 600, 150, 10, key="bert_feature_finetune_steps")
    lr = bound(
        c[1].select_slider,
        t("lab_feature_finetune.lr"),
        [1e-5, 3e-5, 1e-4, 3e-4, 5e-4, 1e-3, 3e-3, 1e-2, 1.0],
        5e-4,
        key="bert_feature_finetune_lr",
    )
    seed = bound(c[2].number_input, t("lab_feature_finetune.seed"), 0, 9999, 0, key="bert_feature_finetune_seed")
    cfg = TransferConfig(steps=int(steps), lr_finetune=float(lr), seed=int(seed))
    if lr >= 1e-2:
        st.warning(t("lab_feature_finetune.warn_lr"))

    def make_run():
        try:
            source = bert_job.model if pretrained else _fresh_bert(corpus)
            task = word_order_task(_sentences(source_corpus), source.tokenizer, cfg)
            models = make_models(source.net.bert, seed=cfg.seed)
        except (TransferInputError, CorpusError) as e:
            raise InputError(t(f"lab_feature_finetune.err_{getattr(e, 'code', 'bad')}")) from None
        run = TransferRun(models, encoder_digest(models["features"].encoder), pretrained, source_corpus)
        return run, train_both(models, task, cfg)

    job = training_panel("lab_feature_finetune", make_run, max_seconds=30, live_view=_draw_accuracy)
    if job is not None and job.usable:
        run, last = job.model, job.history[-1].metrics
        accs = [p.metrics for p in job.history if "acc_features" in p.metrics][-1]
        if not all(math.isfinite(v) for v in last.values()):
            st.warning(t("lab_feature_finetune.err_diverged"))
        names = _names()
        parts = {names[m]: run.models[m].trainable_parts() for m in MODES}
        c1, c2 = st.columns(2)
        part_names = {k: t(f"lab_feature_finetune.part_{k}") for k in ("encoder", "mix", "head")}
        chart(
            vz.trainable_bars(
                parts,
                part_names,
                title=t("lab_feature_finetune.params_title"),
                x_title=t("lab_feature_finetune.mode"),
                y_title=t("lab_feature_finetune.params"),
            ),
            key="bert_ff_params",
            name="bert-07-2-trainable",
            on=c1,
            data=pd.DataFrame(
                [
                    {t("lab_feature_finetune.mode"): m, **{part_names[k]: v for k, v in p.items()}}
                    for m, p in parts.items()
                ]
            ),
        )
        weights = run.models["features"].mix.weights().detach().tolist()
        layers = [t("lab_feature_finetune.layer_emb")] + [
            t("lab_feature_finetune.layer", i=i) for i in range(1, len(weights))
        ]
        chart(
            vz.mix_weights(
                weights,
                layers,
                title=t("lab_feature_finetune.mix_title", total=sum(weights)),
                x_title=t("lab_feature_finetune.layer_axis"),
                y_title=t("lab_feature_finetune.weight"),
            ),
            key="bert_ff_mix",
            name="bert-07-2-mix-weights",
            on=c2,
            data=pd.DataFrame(
                {t("lab_feature_finetune.layer_axis"): layers, t("lab_feature_finetune.weight"): weights}
            ),
        )
        same = encoder_digest(run.models["features"].encoder) == run.digest_before
        st.markdown(
            t(
                "lab_feature_finetune.result",
                acc_f=accs["acc_features"],
                acc_t=accs["acc_finetune"],
                n_f=run.models["features"].trainable(),
                n_t=run.models["finetune"].trainable(),
                frozen=t("lab_feature_finetune.yes" if same else "lab_feature_finetune.no"),
                source=t("lab_feature_finetune.src_pre" if run.pretrained else "lab_feature_finetune.src_fresh"),
            )
        )
    show_code(
        FeatureFinetuneClassifier,
        [
            "tests/engine/labs/test_lab_feature_finetune.py::test_feature_mode_leaves_the_encoder_bit_identical",
            "tests/engine/labs/test_lab_feature_finetune.py::test_exactly_the_trainable_tensors_change",
            "tests/engine/labs/test_lab_feature_finetune.py::test_cached_features_equal_a_fresh_forward",
        ],
    )
    st.info(t("lab_feature_finetune.takeaway"))
    qa_panel(["bert-07-2"])
