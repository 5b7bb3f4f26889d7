"""benchmarks.http_streams runs end to end on a tiny load: every transport delivers
every change to every subscriber, and the table is printed. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_http_streams_benchmark_delivers_over_every_transport(tmp_path: Path) -> None:
    out = tmp_path / "streams.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.http_streams", "--subscribers", "2",
         "--seconds", "0.5", "--rate", "6", "--drain", "10", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| transport | N | delivered/expected |" in done.stdout
    results = json.loads(out.read_text())["results"]
    assert [r["transport"] for r in results] == ["ws", "sse", "multipart"]
    for result in results:
        assert result["delivered"] == result["expected"] == 2 * 3, result
        assert result["hub"] == {"groups": 1, "subscribers": 2}, result
