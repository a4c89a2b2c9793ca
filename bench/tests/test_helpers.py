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


def test_crash_drill_counts_lost_and_duplicated_mail(tmp_path):
    from django.core.mail import EmailMessage

    from bench import crash_drill

    ids = ["0" * 31 + str(n) for n in range(3)]

    def message(n, to, body):
        headers = {"Message-ID": f"<{ids[n][:8]}-{ids[n][8:12]}-{ids[n][12:16]}-{ids[n][16:20]}-{ids[n][20:]}@harting-bank.nl>"}
        return EmailMessage("Onderwerp", body, "a@b.example", [to], headers=headers).message().as_bytes()

    separator = b"\n" + b"-" * 79 + b"\n"
    # The first delivered twice (in two files), the second once, the third never.
    (tmp_path / "1.log").write_bytes(message(0, "x@drill.example", "Bestelling B-2026-000001") + separator)
    (tmp_path / "2.log").write_bytes(
        message(0, "x@drill.example", "Bestelling B-2026-000001")
        + separator
        + message(1, "y@drill.example", "uitnodiging")
        + separator
    )
    state = {
        "expected": ids, "orders": [["B-2026-000001", "x@drill.example"], ["B-2026-000002", "x@drill.example"]],
        "invitations": ["y@drill.example", "z@drill.example"], "orders_without_lines": 0, "accounts_without_membership": 1,
        "outbox_waiting": 0, "outbox_given_up": 0, "tasks_running": 0,
    }  # fmt: skip
    tally = {"orders_confirmed": [1, 2], "invitations_confirmed": ["y@drill.example", "w@drill.example"], "errors": 0}
    result = crash_drill.tally_mail(state, crash_drill.delivered_mail(tmp_path), tally)
    assert (result["mails_expected"], result["mails_delivered"], result["mails_lost"], result["mails_duplicated"]) == (3, 2, 1, 1)
    assert result["orders_without_confirmation_mail"] == 1 and result["invitations_without_mail"] == 1
    assert result["confirmed_invitations_missing"] == 1 and result["partial_records"] == 1
    assert crash_drill.failed(result)
