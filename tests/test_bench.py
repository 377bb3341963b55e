"""The pure parts of ``make bench`` (bench/): percentiles, the table, the README block.

``make bench`` itself is not part of ``make test`` (it runs for many minutes and its
figures depend on the machine); these check that what it writes is computed right.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench import report
from bench.load import ConversationFailed, Say, Tap, message_for
from bench.stats import Load, Spread, percentile


def test_percentile_interpolates_between_ranks_like_numpy():
    values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert percentile(values, 50) == pytest.approx(0.55)
    assert percentile(values, 95) == pytest.approx(0.955)
    assert percentile(values, 0) == 0.1 and percentile(values, 100) == 1.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # order does not matter
    assert percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_throughput_is_per_round_with_median_and_range():
    load = Load((0.1, 0.2), ((100, 10.0), (90, 10.0), (120, 10.0)))
    assert load.throughput == Spread(10.0, 9.0, 12.0)


def figures(scale: float, memory: dict[str, float]) -> report.Figures:
    latencies = tuple(i * scale / 100 for i in range(1, 101))
    return report.Figures(
        training_s=100 * scale,
        cold_start_s=Spread(60 * scale, 50 * scale, 70 * scale),
        memory_mb=memory,
        loads={10: Load(latencies, ((100, 10 * scale),) * 3)},
    )


def test_table_has_every_figure_with_ratio_and_target():
    stock = figures(1.0, {"Rasa server": 1200.0})
    ours = figures(0.25, {"action server": 150.0, "Rasa server": 450.0})
    table = report.table(stock, ours)
    lines = table.splitlines()
    assert lines[0] == "| figure | stock Rasa 3.6.21 | Kotobotti | ratio | target |"
    rows = {line.split(" | ")[0].lstrip("| "): line for line in lines[2:]}
    assert rows["training (`rasa train --force`, wall)"].endswith("| 100 s | 25 s | 0.25 | ≤ 0.5 met |")
    assert "| 60 s (50–70 s) | 15 s (12–18 s) | 0.25 | ≤ 0.25 met |" in rows["cold start to first answer"]
    assert (
        "600 MB (action server 150, Rasa server 450)"
        in rows["resident memory, all servers (peak under load)"]
    )
    assert rows["resident memory, all servers (peak under load)"].endswith("| 0.50 | ≤ 0.6 met |")
    assert rows["p95 latency, 10 concurrent"].endswith("| 950 ms | 238 ms | 0.25 | ≤ 0.3 met |")
    assert "p50 latency, 10 concurrent" in rows and "p99 latency, 10 concurrent" in rows
    # Four times the messages per second: a ratio of 4, above the target of 3.
    assert rows["throughput, 10 concurrent"].endswith("| 10.0 msg/s | 40.0 msg/s | 4.00 | ≥ 3 met |")
    slow = report.table(stock, figures(2.0, {"Rasa server": 2400.0}))
    assert "| 2.00 | ≤ 0.5 not met |" in slow and "| 0.50 | ≥ 3 not met |" in slow


def test_training_again_is_a_row_of_its_own_when_measured_and_has_no_target():
    stock, ours = figures(1.0, {"Rasa server": 1.0}), figures(1.0, {"Rasa server": 1.0})
    label = "training again (`--force`, caches kept)"
    assert label not in report.table(stock, ours)
    stock = replace(stock, retraining_s=60.0)
    ours = replace(ours, retraining_s=15.0)
    row = next(line for line in report.table(stock, ours).splitlines() if label in line)
    assert row.endswith("| 60 s | 15 s | 0.25 |  |")


def test_readme_block_is_replaced_from_results_and_nothing_else_changes():
    results = report.results_markdown("line one\n\n| a | b |", "How it was measured.", "Details.")
    readme = f"# Title\n\nbefore\n\n{report.BEGIN}\nold figures\n{report.END}\n\nafter\n"
    new = report.rewrite_readme(readme, results)
    assert new == f"# Title\n\nbefore\n\n{report.BEGIN}\nline one\n\n| a | b |\n{report.END}\n\nafter\n"
    assert report.rewrite_readme(new, results) == new  # idempotent
    with pytest.raises(ValueError):
        report.rewrite_readme("# no markers\n", results)


def test_a_tap_sends_only_a_button_that_was_offered():
    last = [
        {
            "text": "?",
            "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
        }
    ]
    assert message_for(Tap("/affirm"), last, "t") == "/affirm"
    assert message_for(Say("hello"), last, "t") == "hello"
    with pytest.raises(ConversationFailed):
        message_for(Tap('"permit_type"'), last, "t")


def test_a_round_runs_its_conversations_so_many_at_a_time():
    """30 conversations at 10 concurrent: never more than 10 in flight, all 30 whole."""
    import asyncio

    from aiohttp import web

    from bench.load import Script, one_round

    async def run() -> tuple[int, dict[str, int], int]:
        in_flight, most, per_sender = 0, 0, {}

        async def webhook(request: web.Request) -> web.Response:
            nonlocal in_flight, most
            sender = (await request.json())["sender"]
            in_flight += 1
            most = max(most, in_flight)
            per_sender[sender] = per_sender.get(sender, 0) + 1
            await asyncio.sleep(0.01)
            in_flight -= 1
            return web.json_response([{"text": "ok"}])

        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        script = Script("two", "en", (Say("a"), Say("b")), reached=lambda replies: len(replies) == 2)
        try:
            times, _ = await one_round(f"http://127.0.0.1:{port}", [script], 10, "t", conversations=30)
        finally:
            await runner.cleanup()
        return most, per_sender, len(times)

    most, per_sender, messages = asyncio.run(run())
    assert messages == 60 and len(per_sender) == 30
    assert set(per_sender.values()) == {2}
    # Each conversation waits for its own answer, so at most 10 requests are in flight.
    assert 1 < most <= 10
