"""The benchmark command runs end to end (a tiny matrix): it is the one that prints
the figures README's Performance section quotes, so it must keep working.

No timing is asserted (benchmarks measure, tests do not): only that every mode delivers
every change to every subscriber and that the table is printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_benchmark(tmp_path: Path, *options: str) -> dict:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--subscribers", "2", "--changes", "3",
         "--tasks", "3", "--drain", "5", "--out", str(out), *options],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| mode | mix | users | N | delivered/expected |" in done.stdout
    return json.loads(out.read_text())


def assert_everything_delivered(
    report: dict, configurations: set[tuple[str, str]], expected: int = 2 * 3
) -> None:
    seen = {(r["config"]["mode"], r["config"]["mix"]) for r in report["results"]}
    assert seen == configurations
    for result in report["results"]:
        loadgen = result["loadgen"]
        assert loadgen["expected"] == expected, result["config"]
        assert loadgen["delivered"] == loadgen["expected"], result["config"]
        assert (loadgen["lost"], loadgen["duplicated"]) == (0, 0), result["config"]
        assert loadgen["unexpected"] == 0, result["config"]


def test_the_matrix_runs_every_mode(tmp_path: Path) -> None:
    report = run_benchmark(tmp_path, "--modes", "ours,naive,bare", "--mixes", "same,mixed")
    assert_everything_delivered(
        report, {("ours", "same"), ("naive", "same"), ("bare", "same"), ("ours", "mixed"),
                 ("naive", "mixed")}
    )  # fmt: skip


def test_writes_through_the_rest_api(tmp_path: Path) -> None:
    report = run_benchmark(tmp_path, "--modes", "ours", "--mixes", "same", "--writes", "rest")
    assert_everything_delivered(report, {("ours", "same")})
    assert report["results"][0]["config"]["writes"] == "rest"


def test_distinct_users_and_the_project_mix_beside_one_user(tmp_path: Path) -> None:
    report = run_benchmark(
        tmp_path, "--modes", "ours", "--mixes", "same", "--users", "one,distinct,projects",
        "--writes", "rest",
    )  # fmt: skip
    by_users = {r["config"]["users"]: r for r in report["results"]}
    assert set(by_users) == {"one", "distinct", "projects"}
    assert_everything_delivered({"results": [by_users["one"], by_users["distinct"]]},
                                {("ours", "same")})  # fmt: skip
    # The mix: sockets 0 and 1 in projects 0 and 1, one task each, changes 0 and 2 to
    # project 0's; socket 0 also watches that task: 2 + 1 list deliveries + 2 detail.
    mix = by_users["projects"]["loadgen"]
    assert (mix["streams"], mix["expected"], mix["delivered"]) == (3, 5, 5)
    assert (mix["lost"], mix["duplicated"], mix["unexpected"]) == (0, 0, 0)


def test_the_reconnect_storm_runs_both_drops(tmp_path: Path) -> None:
    """benchmarks.storm (issue 26): 3 distinct users, a server restart and a client-side
    drop on the in-memory layer; every client resumes and ends with every change, none
    lost or repeated (the restart's RESUME_EXPIRED brings the initial snapshot instead)."""
    out = tmp_path / "storm.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.storm", "--subscribers", "3", "--layer", "memory",
         "--drop", "restart,client", "--tasks", "3", "--first", "3", "--settle", "0.5",
         "--steady", "1", "--jitter", "0.5", "--after", "1", "--drain", "20", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| layer | drop | N | current after reconnect" in done.stdout
    results = {r["config"]["drop"]: r for r in json.loads(out.read_text())["results"]}
    assert set(results) == {"restart", "client"}
    for drop, result in results.items():
        clients = result["clients"]
        assert "error" not in result, (drop, result["error"])
        assert "error" not in clients, (drop, clients["error"])
        assert clients["converged"], drop
        assert (clients["lost"], clients["stale"], clients["duplicated"]) == (0, 0, 0), drop
        assert clients["never_current"] == 0, drop
        assert clients["subscribes"]["after"] == 3, drop
    assert results["restart"]["clients"]["expired"] == 3  # the resume log died with it
    assert results["restart"]["clients"]["subscribes"]["initial"] == 3
    assert results["client"]["clients"]["expired"] == 0
