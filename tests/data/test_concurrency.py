"""Concurrent submitters (K8): 8 threads × 50 revisions on the same 10 obsids never collide or lose one."""

from __future__ import annotations

from tests.benchmarks.bench_submit import hammer


def test_concurrent_submitters_get_unique_contiguous_numbers(sessions):
    result = hammer(sessions, threads=8, per_thread=50)
    assert result.errors == 0
    assert result.stored == result.submitted == 400
    assert (result.duplicates, result.losses, result.gaps) == (0, 0, 0)
