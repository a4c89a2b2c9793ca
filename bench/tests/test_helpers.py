"""The benchmarks' arithmetic (the benchmarks themselves never run in the test suite)."""

import math

from bench import common, writes


def test_percentile_takes_the_nearest_rank():
    values = list(range(1, 101))  # 1 … 100
    assert common.percentile(values, 50) == 50
    assert common.percentile(values, 95) == 95
    assert common.percentile(values, 99) == 99
    assert common.percentile([7.0], 99) == 7.0
    assert math.isnan(common.percentile([], 50))


def test_write_mix_splits_writes_from_reads_and_leaves_out_the_logins():
    samples = [
        ["GET", "login page", 900, True],
        ["POST", "login", 800, True],
        ["GET", "read: home", 10, True],
        ["GET", "read: checkout", 30, True],
        ["POST", "write: add to cart", 40, True],
        ["POST", "write: place order", 200, False],
    ]
    result = writes.summarize(samples, seconds=2)
    assert result["writes"]["count"] == 2 and result["writes"]["failures"] == 1
    assert result["writes"]["per_second"] == 1
    assert result["writes"]["p99"] == 200
    assert result["reads"]["count"] == 2 and result["reads"]["p50"] == 10
    assert result["requests_by_name"] == {"read: home": 1, "read: checkout": 1, "write: add to cart": 1, "write: place order": 1}
