"""Freed native memory goes back to the system after a call (see client_core.memory)."""

from __future__ import annotations

import ctypes
import ctypes.util

import psutil
import pytest

from client_core.memory import _malloc_trim, release_free_memory

pytestmark = pytest.mark.skipif(_malloc_trim is None, reason="not glibc: nothing to trim")


def test_freed_heap_pages_are_returned_to_the_system() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    proc = psutil.Process()
    # 64 MiB in small blocks (below the mmap threshold, so on the heap), touched so they
    # are resident; a last block stays allocated on top so free() cannot shrink the heap
    # by itself, as with a codec's buffers freed under a long-lived allocation.
    blocks = []
    for _ in range(64 * 1024):
        p = libc.malloc(1024)
        ctypes.memset(p, 1, 1024)
        blocks.append(p)
    keeper = libc.malloc(1024)
    for p in blocks:
        libc.free(p)
    held = proc.memory_info().rss
    release_free_memory()
    released = held - proc.memory_info().rss
    libc.free(keeper)
    assert released > 32 * 2**20, f"only {released / 2**20:.1f} MiB returned"
