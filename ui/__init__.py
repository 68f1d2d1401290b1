"""The shared Streamlit pieces (see the modules). Importing the package tunes the allocator once, below."""

import ctypes
import os
import sys

MMAP_THRESHOLD = 16 * 2**20


def give_big_blocks_back() -> bool:
    """Let freed big arrays return to the OS (glibc only; True if set).

    glibc serves a block above its mmap threshold with its own mapping, which free() unmaps. But the threshold is
    dynamic: after such a block is freed it rises to that block's size (up to 32 MB), and from then on count tables,
    corpora and the tensors of finished trainings live in the heap, whose freed space the process keeps. A fixed
    threshold keeps big blocks mapped. 16 MB: 30-student runs peaked at 1.43–1.60 GB with it, 1.56–1.63 GB
    without (PSS; bench/results/classroom_ws.md has the final runs), and training steps, whose tensors are
    smaller, run as fast as before (a 1 MB threshold made GloVe's steps 2.5x slower: every batch tensor was a fresh
    mapping). MALLOC_MMAP_THRESHOLD_ in the environment wins."""
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(-3, MMAP_THRESHOLD))  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return False


give_big_blocks_back()  # once, when app.py first imports ui (before any corpus, model or count table exists)
