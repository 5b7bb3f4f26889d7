"""The reconnect-storm benchmark's table (benchmarks/storm.py), against issue 26's targets."""

from __future__ import annotations

from typing import Any

from benchmarks.run import _fmt

__all__ = ["TARGETS", "table"]

#: issue 26's targets, as the table's notes state them
TARGETS = (
    "every client current within 5 s of reconnecting; p99 of live changes during the "
    "storm <= 1,000 ms, after it <= 250 ms; first changes after a mass subscription "
    "<= 2x the steady CPU per change; nothing lost or duplicated; at 5,000 users: "
    "p99 <= 500 ms, CPU <= 80 ms/change, <= 30 KB per socket"
)

COLUMNS = (
    "layer", "drop", "N", "current after reconnect p50 / p99 / max s", "all current s",
    "live p99 ms steady / storm / after", "catch-up p99 ms", "lost", "stale", "dup",
    "expired", "snapshot", "CPU ms/change first / steady / storm / after",
    "first / steady", "RSS KB/socket", "closes", "bg cores",
)  # fmt: skip


def _get(d: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def _slash(values: list[Any], digits: int = 0) -> str:
    return " / ".join(_fmt(v, digits) for v in values)


def row(result: dict[str, Any]) -> list[str]:
    c, cl, server = result["config"], result.get("clients") or {}, result.get("server") or {}
    windows = server.get("windows") or {}
    by_window = cl.get("committed_by_window") or {}  # runs before it: answered writes only
    cpu = {
        name: (w["cpu_s"] / by_window[name] * 1000) if by_window.get(name) and name != "first"
        else w.get("cpu_ms_per_change")
        for name, w in windows.items()
    }  # fmt: skip
    ratio = (cpu["first"] / cpu["steady"]) if cpu.get("first") and cpu.get("steady") else None
    current = cl.get("current_after_reconnect_s") or {}
    rss = server.get("rss_per_socket_kb")
    return [
        c["layer"], c["drop"], _fmt(c["subscribers"]),
        _slash([current.get("p50"), current.get("p99"), current.get("max")], 2),
        _fmt(cl.get("all_current_after_drop_s"), 2),
        _slash([_get(cl, "latency_ms", w, "p99") for w in ("steady", "storm", "after")]),
        _fmt(_get(cl, "catch_up_ms", "storm", "p99")),
        _fmt(cl.get("lost")), _fmt(cl.get("stale")), _fmt(cl.get("duplicated")),
        _fmt(cl.get("expired")), _fmt(cl.get("snapshot")),
        _slash([cpu.get(w) for w in ("first", "steady", "storm", "after")]),
        f"{ratio:.1f}x" if ratio else "—", _fmt(rss, 1),
        ", ".join(f"{k}: {v:,}" for k, v in sorted((cl.get("closes") or {}).items())) or "—",
        _fmt(result.get("background_cpu_cores"), 2),
    ]  # fmt: skip


def notes(result: dict[str, Any]) -> list[str]:
    c, cl = result["config"], result.get("clients") or {}
    out = []
    for key in ("error",):
        if result.get(key):
            out.append(result[key])
        if cl.get(key):
            out.append("clients: " + cl[key])
    if cl and not cl.get("converged"):
        out.append("views not equal to the final state at the drain deadline")
    if cl.get("never_current"):
        out.append(f"{cl['never_current']} clients never current again")
    for key in ("regressed", "unknown", "write_errors", "connect_failures"):
        if cl.get(key):
            out.append(f"{key.replace('_', ' ')} {cl[key]:,}")
    if cl.get("other_messages"):
        out.append(f"other messages {cl['other_messages']}")
    if result.get("stopped"):
        out.append(f"server stopped in {result['stopped']['after_s']:.1f} s, back after "
                   f"{result.get('restarted_after_s', 0):.1f} s")  # fmt: skip
    if (result.get("background_cpu_cores") or 0) > 0.25:
        out.append(f"other processes used {result['background_cpu_cores']:.2f} cores before it")
    return [f"- {c['layer']}/{c['drop']}/{c['subscribers']}: " + "; ".join(out)] if out else []


def table(results: list[dict[str, Any]], header: bool = True) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)] if header else []
    lines += ["| " + " | ".join(row(r)) + " |" for r in results]
    extra = [line for r in results for line in notes(r)]
    if header:
        lines += ["", "Targets (issue 26): " + TARGETS + "."]
    return "\n".join(lines + (["", *extra] if extra else []))
