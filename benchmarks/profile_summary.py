"""Summarise a py-spy ``--format raw`` profile: where the server's time goes.

    python -m benchmarks.profile_summary benchmarks/results/profile-<ts>.txt [--top 25]

Needs a profile recorded with ``--threads`` (run.py does): the benchmark's own writer
threads (the control server: ``bench-control``, ``process_request_thread``) are left
out unless ``--all-threads``. Prints, as markdown: samples per thread, the functions
with the most *self* samples (the leaf frame), the most *inclusive* samples (anywhere
on the stack), and a rough breakdown by component (graphql-core/Strawberry execution,
websocket send, Channels, hub, DRF serialisation, SQL, asgiref thread hops, ...), each
as a share of all samples taken while the process was busy. py-spy cannot see the
cyclic garbage collector: its pauses are charged to whatever line allocated when it
started (serverstats times the collector itself: ``gc_s`` in the results).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# First match wins: order from the most specific to the most general.
COMPONENTS = [
    ("drf_graphql_live live (hub, groups, delivery)", re.compile(r"drf_graphql_live/live/")),
    ("drf_graphql_live api (viewsets, selection)", re.compile(r"drf_graphql_live/api/")),
    ("drf_graphql_live transport", re.compile(r"drf_graphql_live/transport/")),
    ("SQL (Django db backend, sqlite3)", re.compile(r"django/db/|sqlite3")),
    ("DRF serializers", re.compile(r"rest_framework/")),
    ("graphql-core execution", re.compile(r"graphql/execution|graphql/pyutils")),
    ("Strawberry", re.compile(r"strawberry/")),
    ("JSON encode/decode", re.compile(r"json/")),
    ("uvicorn/websockets send", re.compile(r"uvicorn/|websockets/")),
    ("channels layer/consumers", re.compile(r"channels/")),
    ("asgiref thread hops", re.compile(r"asgiref/")),
    ("asyncio/uvloop scheduling", re.compile(r"asyncio/|uvloop")),
]


def parse(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def _short(frame: str) -> str:
    return re.sub(r"\(.*/site-packages/", "(", frame)


def component(frames: list[str]) -> str:
    """The innermost frame that belongs to a known component names the sample."""
    for frame in reversed(frames):
        for name, pattern in COMPONENTS:
            if pattern.search(frame):
                return name
    return "other"


HARNESS_THREADS = re.compile(r"bench-control|process_request_thread")


def _harness_ids(stacks: list[tuple[list[str], int]]) -> set[str]:
    """Thread ids named like the benchmark's writer threads anywhere in the profile."""
    ids = set()
    for frames, _ in stacks:
        if frames and HARNESS_THREADS.search(frames[0]):
            ids.add(frames[0].split(")")[0])
    return ids


def summarise(path: Path, top: int = 25, all_threads: bool = False) -> str:
    stacks = parse(path)
    if not all_threads:
        harness = _harness_ids(stacks)
        stacks = [(f, n) for f, n in stacks if not f or f[0].split(")")[0] not in harness]
    total = sum(count for _, count in stacks) or 1
    threads: Counter[str] = Counter()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    parts: Counter[str] = Counter()
    for frames, count in stacks:
        if frames and frames[0].startswith("thread ("):
            threads[frames[0]] += count
            frames = frames[1:]
        if not frames:
            continue
        own[_short(frames[-1])] += count
        for frame in {_short(f) for f in frames}:
            inclusive[frame] += count
        parts[component(frames)] += count

    def pct(n: int) -> str:
        return f"{100 * n / total:.1f}%"

    scope = "all threads" if all_threads else "without the benchmark's writer threads"
    out = [f"{total} busy samples in {path.name} ({scope})", ""]
    if threads:
        out += ["| thread | samples |", "|---|---|"]
        out += [f"| {name} | {pct(n)} |" for name, n in threads.most_common()]
        out.append("")
    out += ["| component (innermost known frame) | samples |", "|---|---|"]
    out += [f"| {name} | {pct(n)} |" for name, n in parts.most_common()]
    out += ["", "| self (leaf) function | samples |", "|---|---|"]
    out += [f"| `{name}` | {pct(n)} |" for name, n in own.most_common(top)]
    out += ["", "| inclusive function | samples |", "|---|---|"]
    out += [f"| `{name}` | {pct(n)} |" for name, n in inclusive.most_common(top)]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--all-threads", action="store_true")
    args = parser.parse_args()
    print(summarise(args.path, args.top, args.all_threads))


if __name__ == "__main__":
    main()
