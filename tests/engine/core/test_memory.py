"""Memory habits the classroom numbers rely on (bench/results/classroom_ws.md)."""

import sys

import numpy as np
import pytest
import scipy.sparse as sp

from engine.core import corpus as C
from engine.embeddings.glove import Pairs, count_corpus


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_big_blocks_are_given_back_to_the_os(monkeypatch):
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    from ui import give_big_blocks_back

    assert give_big_blocks_back() is True
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")  # the operator's choice wins
    assert give_big_blocks_back() is False


def test_corpus_tokens_share_one_str_per_word_type():
    for name in ("news_en", "peoples_daily_zh"):
        a, b = C.load_corpus(name, 3000), C.load_corpus(name, 6000)
        first = {}
        for s in a.sentences + b.sentences:
            for w in s:
                assert first.setdefault(w, w) is w  # equal tokens are the same object, across corpus sizes too


def test_pairs_share_the_count_matrix_and_keep_its_order():
    c = count_corpus(C.load_corpus("toy_en").sentences, 4, min_count=1)
    p = c.pairs
    assert np.shares_memory(p.cols, c.X.indices) and np.shares_memory(p.vals, c.X.data)
    coo = c.X.tocoo()  # the order training batches are drawn from (a replayed seed gives the same run)
    assert (p.rows == coo.row).all() and (p.cols == coo.col).all() and (p.vals == coo.data).all()
    assert p.rows.dtype == np.int32 and p.rows.nbytes == 4 * c.X.nnz


def test_pairs_drop_explicit_zeros_and_negatives_without_touching_the_matrix():
    X = sp.csr_matrix((np.array([1.0, 0.0, -2.0, 3.0]), np.array([0, 1, 2, 0]), np.array([0, 3, 4])), shape=(2, 3))
    p = Pairs.from_matrix(X)
    assert p.rows.tolist() == [0, 1] and p.cols.tolist() == [0, 0] and p.vals.tolist() == [1.0, 3.0]
    assert X.nnz == 4 and X.data.tolist() == [1.0, 0.0, -2.0, 3.0]


def test_shared_lru_is_bounded_by_bytes_keeps_the_newest_and_computes_once():
    import threading
    import time

    from ui.resources import SharedLRU

    cache = SharedLRU(100, size_of=len)
    calls = []

    def make(n):
        def compute():
            calls.append(n)
            time.sleep(0.05)
            return "x" * n

        return compute

    assert cache.get("a", make(40)) == "x" * 40 and cache.get("b", make(40)) and len(cache) == 2
    assert cache.get("a", make(40)) and calls == [40, 40]  # a hit: not computed again, and now most recent
    cache.get("c", make(40))  # 120 bytes > 100: the least recently used ("b") goes
    assert cache.nbytes() == 80 and cache.get("a", make(1)) == "x" * 40 and calls == [40, 40, 40]
    cache.get("huge", make(500))  # alone over the budget: kept (the newest always is), everything else goes
    assert len(cache) == 1 and cache.get("huge", make(1)) == "x" * 500

    calls.clear()
    threads = [threading.Thread(target=cache.get, args=("same", make(10))) for _ in range(5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert calls == [10]  # five sessions asked at once, one computation

    def fail():
        raise ValueError("bad input")

    with pytest.raises(ValueError):
        cache.get("bad", fail)
    assert "bad" not in cache._items


def test_count_table_size_counts_its_arrays():
    from engine.embeddings.glove import counts_nbytes

    c = count_corpus(C.load_corpus("toy_en").sentences, 4, min_count=1)
    expected = c.X.data.nbytes + c.X.indices.nbytes + c.X.indptr.nbytes + sum(a.nbytes for a in c.ids) + 4 * c.X.nnz
    assert counts_nbytes(c) == expected and counts_nbytes(c) > 12 * c.X.nnz
