"""engine/core/corpus.py: packaged corpora load offline, uploads fail with clear reasons, vocab order is stable."""

import numpy as np
import pytest

from engine.core.corpus import (
    CORPORA,
    CorpusError,
    build_vocab,
    corpus_from_text,
    decode_upload,
    encode,
    load_corpus,
    load_documents,
)


@pytest.mark.parametrize("name", CORPORA)
def test_packaged_corpora_load(name):
    c = load_corpus(name, max_tokens=2000)
    assert c.n_tokens >= 2000 and c.source
    assert all(s and all(isinstance(w, str) and w for w in s) for s in c.sentences)
    docs = load_documents(name, max_docs=3)
    assert len(docs) == 3 and all(len(d) >= 2 for d in docs)


def test_prefix_slices_are_deterministic_prefixes():
    small, big = load_corpus("news_en", 1000), load_corpus("news_en", 5000)
    assert big.sentences[: len(small.sentences)] == small.sentences


def test_peoples_daily_uses_gold_segmentation():
    first = load_corpus("peoples_daily_zh", 10).sentences[0]
    assert first[:4] == ["迈向", "充满", "希望", "的"]  # 迈向/v 充满/v 希望/n 的/u — punctuation /w dropped


@pytest.mark.parametrize(
    "data,code",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"a" * 101, "too_large"),
        (b"\x00\x01\x02abc", "not_text"),
        (b"\xff\xfe\xfa\xfb" * 5, "not_text"),
    ],
)
def test_bad_uploads_have_reasons(data, code):
    with pytest.raises(CorpusError) as e:
        decode_upload(data, max_bytes=100)
    assert e.value.code == code


def test_text_decoding_and_tokenising():
    assert decode_upload("naïve café 😀".encode()) == "naïve café 😀"
    assert decode_upload("中文".encode("gb18030")) == "中文"
    c = corpus_from_text("The cat sat. The dog ran! 😀")
    assert c.lang == "en" and c.sentences == [["the", "cat", "sat"], ["the", "dog", "ran"]]
    assert corpus_from_text("我来到北京清华大学").sentences == [["我", "来到", "北京", "清华大学"]]
    with pytest.raises(CorpusError):
        corpus_from_text("😀 !!! ...")


def test_vocab_sorted_by_count_with_stable_ties():
    v = build_vocab([["b", "a", "c", "a"], ["c", "d", "a"]], min_count=1)
    assert v.itos == ["a", "c", "b", "d"] and v.counts.tolist() == [3, 2, 1, 1]
    assert build_vocab([["b", "a", "a"]], min_count=2).itos == ["a"]
    ids = encode([["a", "zzz", "d"], ["zzz"]], v)
    assert len(ids) == 1 and ids[0].tolist() == [0, 3] and ids[0].dtype == np.int64
