"""A word-sense task that static word vectors cannot solve and a contextual encoder can (bert-13-2, ptm-03).

Every sentence holds the ambiguous word (bank / 苹果) with one cue of EACH sense right around it:

    ... <cue of sense A>  bank  (filler)  <cue of sense B> ...      label = the sense of the cue just BEFORE "bank"

So both classes contain exactly the same kinds of words — one river cue, one money cue, "bank", some fillers —
and only their order differs. Any bag of static vectors (word2vec mean pooling + logistic regression) sees the
same distribution for both labels and is stuck at chance (50%); a tiny BERT that reads the vector of "bank" in
context learns to look at its left neighbour.

    run = compare(cfg)               # generator of Progress over cfg.n_seeds seeds
    for each seed: word2vec (engine.embeddings.word2vec) on the task's sentences -> mean vector -> LogisticRegression,
                   and a fresh tiny BertModel fine-tuned to classify the contextual vector at the ambiguous word
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from transformers import BertConfig, BertModel

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator, seeded
from engine.core.train import Progress, run
from engine.embeddings.word2vec import Word2VecConfig, fit_word2vec

PAD, CLS, SEP = "[PAD]", "[CLS]", "[SEP]"

WORDS = {  # the ambiguous word, cue words per sense (sense 0, sense 1), fillers
    "en": {
        "word": "bank",
        "cues": (
            ("river", "water", "fishing", "muddy", "shore", "boat"),
            ("money", "loan", "cash", "deposit", "account", "teller"),
        ),
        "filler": (
            "we",
            "walked",
            "to",
            "the",
            "old",
            "near",
            "by",
            "a",
            "then",
            "saw",
            "today",
            "went",
            "after",
            "quiet",
            "big",
            "our",
        ),
    },
    "zh": {
        "word": "苹果",
        "cues": (("吃", "甜", "新鲜", "削", "果园", "红"), ("手机", "公司", "股价", "发布", "电脑", "总部")),
        "filler": (
            "我们",
            "今天",
            "看到",
            "那个",
            "一个",
            "新",
            "买",
            "了",
            "的",
            "很",
            "在",
            "说",
            "昨天",
            "都",
            "也",
            "还",
        ),
    },
}
SENSES = {"en": ("river", "money"), "zh": ("fruit", "company")}


class PolysemyInputError(InputError):
    """Settings the lab cannot run; `.code` names the i18n message."""


@dataclass(frozen=True)
class PolysemyTaskConfig(Checked):
    error = PolysemyInputError
    lang: str = "en"
    n_train: int = 400
    n_val: int = 200
    n_seeds: int = 5
    max_fill: int = 3  # filler words on each side: 0..max_fill, so "bank" moves around
    dim: int = 32
    layers: int = 1
    heads: int = 2
    steps: int = 120
    batch_size: int = 32
    lr: float = 5e-3
    w2v_dim: int = 16
    seed: int = 0

    def checks(self):
        yield self.lang in WORDS, "lang", "language must be en or zh"
        yield 16 <= self.n_train <= 20_000 and 16 <= self.n_val <= 5000, "size", "16-20000 sentences"
        yield 1 <= self.n_seeds <= 20 and 0 <= self.max_fill <= 10, "size", "1-20 seeds, 0-10 fillers"
        yield (
            4 <= self.dim <= 256 and 1 <= self.heads <= 16 and self.dim % self.heads == 0 and 1 <= self.layers <= 6,
            "dim",
            "dim 4-256, a multiple of the heads, 1-6 layers",
        )
        yield 2 <= self.w2v_dim <= 300, "dim", "word2vec dim 2-300"
        yield 1 <= self.steps <= 20_000 and 1 <= self.batch_size <= 1024, "steps", "steps 1-20000"
        yield finite(self.lr) and 0 < self.lr <= 1, "lr", "learning rate must be in (0, 1]"

    @property
    def max_len(self) -> int:
        return 2 * self.max_fill + 6  # [CLS] fillers cue word (filler) cue fillers [SEP]


@dataclass(frozen=True)
class SenseData:
    itos: tuple[str, ...]
    sentences: list[list[str]]  # training sentences (words only, no [CLS]/[SEP])
    positions: list[int]  # index of the ambiguous word in each training sentence
    labels: np.ndarray  # (N,) sense of the cue before the word
    val_sentences: list[list[str]]
    val_positions: list[int]
    val_labels: np.ndarray

    @property
    def stoi(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.itos)}


def make_sense_data(cfg: PolysemyTaskConfig, seed: int) -> SenseData:
    cfg.validate()
    words = WORDS[cfg.lang]
    rng = np.random.default_rng(seed)
    itos = (PAD, CLS, SEP, words["word"], *words["cues"][0], *words["cues"][1], *words["filler"])

    def draw(n: int):
        sents, pos, labels = [], [], np.zeros(n, dtype=np.int64)
        for i in range(n):
            label = int(rng.integers(2))
            before = str(rng.choice(words["cues"][label]))
            after = str(rng.choice(words["cues"][1 - label]))
            left = [str(w) for w in rng.choice(words["filler"], int(rng.integers(cfg.max_fill + 1)))]
            mid = [str(w) for w in rng.choice(words["filler"], int(rng.integers(2)))]  # the other cue may not touch it
            right = [str(w) for w in rng.choice(words["filler"], int(rng.integers(cfg.max_fill + 1)))]
            sents.append(left + [before, words["word"]] + mid + [after] + right)
            pos.append(len(left) + 1)
            labels[i] = label
        return sents, pos, labels

    return SenseData(itos, *draw(cfg.n_train), *draw(cfg.n_val))


def encode(data: SenseData, sentences: list[list[str]], max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """[CLS] words [SEP], padded: (ids (N, T), attention mask (N, T)); unknown words are not allowed here."""
    stoi = data.stoi
    ids = torch.zeros(len(sentences), max_len, dtype=torch.long)
    for i, s in enumerate(sentences):
        row = [stoi[CLS], *(stoi[w] for w in s), stoi[SEP]][:max_len]
        ids[i, : len(row)] = torch.tensor(row)
    return ids, (ids != stoi[PAD]).long()


class SenseBert(nn.Module):
    """A fresh tiny BertModel; the sense is read off the contextual vector at the ambiguous word."""

    def __init__(self, vocab_size: int, cfg: PolysemyTaskConfig, seed: int):
        super().__init__()
        bc = BertConfig(
            vocab_size=vocab_size,
            hidden_size=cfg.dim,
            num_hidden_layers=cfg.layers,
            num_attention_heads=cfg.heads,
            intermediate_size=2 * cfg.dim,
            max_position_embeddings=cfg.max_len,
            hidden_dropout_prob=0.0,
            attention_probs_dropout_prob=0.0,
            pad_token_id=0,
        )
        with seeded(seed):  # transformers' init, from the seed's own generator (never the global RNG)
            self.bert = BertModel(bc, add_pooling_layer=False)
            self.head = nn.Linear(cfg.dim, 2)

    def contextual(self, ids: torch.Tensor, mask: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        """(N, dim) last-layer vectors at the ambiguous word (positions count words; +1 for [CLS])."""
        h = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state  # (N, T, dim)
        return h[torch.arange(ids.shape[0]), positions + 1]

    def forward(self, ids, mask, positions, targets=None):
        logits = self.head(self.contextual(ids, mask, positions))
        return logits, None if targets is None else F.cross_entropy(logits, targets)


def word2vec_vectors(data: SenseData, cfg: PolysemyTaskConfig, seed: int) -> dict[str, np.ndarray]:
    """Static vectors trained (unsupervised) on the task's own training sentences with our word2vec."""
    res = fit_word2vec(
        data.sentences,
        Word2VecConfig(dim=cfg.w2v_dim, window=2, epochs=5, sample=0.0, seed=seed, batch_size=256, negative=5),
    )
    return {w: res.vectors[i] for i, w in enumerate(res.vocab.itos)}


def mean_vectors(vectors: dict[str, np.ndarray], sentences: list[list[str]]) -> np.ndarray:
    dim = len(next(iter(vectors.values())))
    return np.stack([np.mean([vectors[w] for w in s if w in vectors] or [np.zeros(dim)], axis=0) for s in sentences])


def word2vec_classifier(data: SenseData, vectors: dict[str, np.ndarray]):
    """(LogisticRegression on mean-pooled static vectors, its validation accuracy)."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(max_iter=1000).fit(mean_vectors(vectors, data.sentences), data.labels)
    return clf, float(clf.score(mean_vectors(vectors, data.val_sentences), data.val_labels))


def train_sense_bert(model: SenseBert, data: SenseData, cfg: PolysemyTaskConfig, seed: int) -> Iterator[Progress]:
    """Fine-tune on the labelled sentences; the last Progress carries the validation accuracy."""
    x, m = encode(data, data.sentences, cfg.max_len)
    pos, y = torch.tensor(data.positions), torch.from_numpy(data.labels)
    g = generator(seed + 1)
    masks = generator(seed + 2)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    for step in range(cfg.steps):
        idx = torch.randint(len(y), (min(cfg.batch_size, len(y)),), generator=g)
        model.train()
        opt.zero_grad(set_to_none=True)
        with seeded(masks):
            _, loss = model(x[idx], m[idx], pos[idx], y[idx])
            loss.backward()
        opt.step()
        metrics = {"bert_acc": bert_accuracy(model, data, cfg)} if step + 1 == cfg.steps else {}
        yield Progress(step + 1, cfg.steps, float(loss.detach()), metrics)


@torch.no_grad()
def bert_accuracy(model: SenseBert, data: SenseData, cfg: PolysemyTaskConfig) -> float:
    model.eval()
    x, m = encode(data, data.val_sentences, cfg.max_len)
    logits, _ = model(x, m, torch.tensor(data.val_positions))
    return float((logits.argmax(-1).numpy() == data.val_labels).mean())


@dataclass
class SeedResult:
    seed: int
    w2v_acc: float
    bert_acc: float
    data: SenseData
    vectors: dict[str, np.ndarray]
    bert: SenseBert
    classifier: object  # the word2vec baseline's LogisticRegression


class Comparison:
    """What the lab trains: one SeedResult per finished seed (filled in place while the run goes on)."""

    def __init__(self, cfg: PolysemyTaskConfig):
        cfg.validate()
        self.cfg = cfg
        self.results: list[SeedResult] = []


def compare(cmp: Comparison) -> Iterator[Progress]:
    """For seed s = cfg.seed .. cfg.seed + n_seeds - 1: word2vec + LR, then a tiny BERT. One Progress per BERT
    step (total = n_seeds * steps); after each seed the metrics carry w2v_acc / bert_acc of that seed."""
    cfg = cmp.cfg
    total = cfg.n_seeds * cfg.steps
    for k in range(cfg.n_seeds):
        seed = cfg.seed + k
        data = make_sense_data(cfg, seed)
        vectors = word2vec_vectors(data, cfg, seed)
        clf, w2v_acc = word2vec_classifier(data, vectors)
        model = SenseBert(len(data.itos), cfg, seed)
        for p in train_sense_bert(model, data, cfg, seed):
            metrics = {"seed": seed}
            if "bert_acc" in p.metrics:
                cmp.results.append(SeedResult(seed, w2v_acc, p.metrics["bert_acc"], data, vectors, model, clf))
                metrics.update(w2v_acc=w2v_acc, bert_acc=p.metrics["bert_acc"])
            yield Progress(k * cfg.steps + p.step, total, p.loss, metrics)


def run_comparison(cfg: PolysemyTaskConfig, max_seconds: float | None = None) -> Comparison:
    cmp = Comparison(cfg)
    run(compare(cmp), max_seconds=max_seconds)
    return cmp


@torch.no_grad()
def probe(result: SeedResult, sentence: list[str], position: int) -> dict[str, np.ndarray]:
    """The ambiguous word's static (word2vec) and contextual (BERT) vector in one sentence (ptm-03's probe)."""
    cfg_len = result.bert.bert.config.max_position_embeddings
    ids, mask = encode(result.data, [sentence], cfg_len)
    result.bert.eval()
    ctx = result.bert.contextual(ids, mask, torch.tensor([position]))[0].numpy()
    return {"static": result.vectors[sentence[position]], "contextual": ctx}


def parse_sentence(text: str, data: SenseData, lang: str, max_words: int) -> tuple[list[str], int]:
    """Known words of a typed sentence (whitespace words, or longest match for Chinese) and the index of the
    ambiguous word. Unknown words are dropped; the sentence must contain the ambiguous word."""
    text = (text or "").strip().lower()[:2000]
    if not text:
        raise PolysemyInputError("empty", "the sentence is empty")
    known = [w for w in data.itos if w not in (PAD, CLS, SEP)]
    if lang == "zh":
        words, i, longest = [], 0, max(len(w) for w in known)
        while i < len(text):
            hit = next(
                (text[i : i + n] for n in range(min(longest, len(text) - i), 0, -1) if text[i : i + n] in known), None
            )
            if hit:
                words.append(hit)
            i += len(hit) if hit else 1
    else:
        words = [w for w in text.replace(",", " ").split() if w in known]
    word = WORDS[lang]["word"]
    if word not in words:
        raise PolysemyInputError("no_word", f"the sentence has no {word!r}")
    if len(words) > max_words:
        raise PolysemyInputError("too_long", f"more than {max_words} known words")
    return words, words.index(word)


@torch.no_grad()
def predict_senses(result: SeedResult, sentence: list[str], position: int) -> dict[str, float]:
    """P(sense 1) from the word2vec baseline and from BERT for one sentence."""
    ids, mask = encode(result.data, [sentence], result.bert.bert.config.max_position_embeddings)
    result.bert.eval()
    logits, _ = result.bert(ids, mask, torch.tensor([position]))
    w2v = result.classifier.predict_proba(mean_vectors(result.vectors, [sentence]))[0, 1]
    return {"w2v": float(w2v), "bert": float(logits.softmax(-1)[0, 1])}
