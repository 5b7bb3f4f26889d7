"""A large router builds in seconds, and one refused field costs no re-probe storm
(issue 23, item 3: 138 registrations took 504 s, 291 schema builds, in a real API)."""

from __future__ import annotations

import time
import warnings

import schema_gen.schema as generator
from drf_graphql_live import build_schema

from .patterns.large import REGISTRATIONS, large_router

#: Probes a bisection needs for one refused registration among 138 (log2 138 ~ 7 levels,
#: then its 6 fields); one per registration and field was 146 here.
MAX_PROBES = 30


def test_a_large_router_with_one_refused_field_builds_in_few_probes(monkeypatch):
    probes: list[int] = []
    probe = generator._probe
    monkeypatch.setattr(
        generator, "_probe", lambda fields: probes.append(len(fields)) or probe(fields)
    )
    router = large_router()
    started, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        schema = build_schema(router)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"build_schema, {REGISTRATIONS} registrations: {took:.1f} s ({cpu:.1f} s CPU)")
    assert len(probes) <= MAX_PROBES, probes
    # What it left out is said, and is only the refused registration's.
    assert {s.prefix for s in schema.skipped} == {"odd"}
    assert any("OddViewSet" in str(w.message) and "CodeInput" in str(w.message) for w in caught)
    lists = [n for n in schema._schema.query_type.fields if n.startswith("large")]
    assert len(lists) == 2 * (REGISTRATIONS - 1)  # list and detail of every other one
    assert took < 60, f"{took:.1f} s"  # ~6.5 s CPU; 7-20 s wall on a shared 2-CPU machine
