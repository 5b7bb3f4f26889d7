"""What the storm's clients saw, against what was committed (benchmarks/storm.py).

Pure functions over the clients' records (benchmarks/storm_clients.py: every event a
client received, every subscribe it sent), the writer's records (seq, task, stamp,
errors) and the final state of every task, read through REST once the writer stopped:

- **current after**: per client, from its first subscribe after the drop (its
  reconnect, R) to the first moment its view holds, for every task, a state at least as
  new as the latest change committed (title stamped) before R. Its view is what it
  applied: events upsert, RESUME_EXPIRED clears it (the client refetches), the
  ``initial: true`` snapshot fills it again;
- **latency** commit -> receipt of the first receipt of each (client, change), by the
  window its commit fell in; *live* when the client's subscription was sent before the
  commit (it was listening), *catch-up* otherwise (a replay after ``after:``, sent
  when it came back): the two are reported apart;
- **committed**: the writes answered 2xx, and those whose answer never came but whose
  change someone received (or is final);
- **lost**: a committed change of a task whose latest state the client never received
  (nothing as new arrived: not superseded); **stale**: (client, task) pairs whose final
  view differs from the task's final state;
- **duplicated**: an event (not a snapshot's ADDED) repeating a change the client had
  already received, on any of its subscriptions (a replay must not resend what it had);
  **snapshot**: ADDED events of ``initial: true``; **regressed**: an event older than
  what the view held for that task.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["EXPIRED", "WINDOWS", "analyse", "percentiles"]

#: the receipt that marks a RESUME_EXPIRED (the client cleared its view)
EXPIRED = -2
#: where a change's commit falls: [windows[name], windows[next name])
WINDOWS = ("first", "settle", "steady", "storm", "after", "tail")


class ClientLog(Protocol):
    receipts: list[tuple[float, int, int, float, bool, int]]
    subs: list[tuple[float, str, int]]
    view: dict[int, int]


def percentiles(values: list[float]) -> dict[str, float | None]:
    values = sorted(values)

    def at(q: float) -> float | None:
        if not values:
            return None
        return values[min(len(values) - 1, max(0, round(q / 100 * len(values) + 0.5) - 1))]

    return {"n": len(values), "p50": at(50), "p99": at(99), "max": values[-1] if values else None}


def _window(stamp: float, bounds: list[tuple[float, str]]) -> str | None:
    name = None
    for start, window in bounds:
        if stamp >= start:
            name = window
    return name


def _current_at(
    client: ClientLog, since: float, committed: dict[int, list[tuple[float, int]]]
) -> float | None:
    """When the client's view first held every task's state as of ``since`` (or None)."""
    target = {}
    for task, changes in committed.items():
        k = bisect.bisect_right(changes, (since, float("inf")))
        if k:
            target[task] = changes[k - 1][1]
    view: dict[int, int] = {}
    held = 0
    receipts = client.receipts
    i = 0
    while i < len(receipts) and receipts[i][0] <= since:
        _t, seq, task, *_ = receipts[i]
        if seq == EXPIRED:
            view.clear()
        else:
            view[task] = seq
        i += 1
    held = sum(1 for task, seq in target.items() if view.get(task, -1) >= seq)
    if held == len(target):
        return since
    for t, seq, task, *_ in receipts[i:]:
        if seq == EXPIRED:
            view.clear()
            held = 0
            continue
        before = view.get(task, -1)
        view[task] = seq
        if task in target:
            held += (seq >= target[task]) - (before >= target[task])
        if held == len(target):
            return t
    return None


def analyse(
    clients: Sequence[ClientLog], writes: list[dict[str, Any]], final: dict[int, int],
    windows: dict[str, float], first: int,
) -> dict[str, Any]:  # fmt: skip
    """The storm's figures (see the module docstring); ``windows``: name -> start."""
    # A write whose answer never came (a PATCH timed out while the server was swamped,
    # or cut by the restart) was committed if anyone received it or it is final.
    seen = {r[1] for client in clients for r in client.receipts} | set(final.values())
    ok = [{**w, "ts": w.get("ts", w["sent"])} for w in writes
          if "error" not in w or w["seq"] in seen]  # fmt: skip
    stamp_of = {w["seq"]: w["ts"] for w in ok}
    committed: dict[int, list[tuple[float, int]]] = {}
    for w in sorted(ok, key=lambda w: w["ts"]):
        committed.setdefault(w["task"], []).append((w["ts"], w["seq"]))
    bounds = sorted((windows[name], name) for name in WINDOWS if windows.get(name) is not None)
    drop = windows["storm"]
    live: dict[str, list[float]] = {name: [] for name in WINDOWS}
    catch_up: dict[str, list[float]] = {name: [] for name in WINDOWS}
    first_changes: list[float] = []
    counts = dict.fromkeys(
        ("duplicated", "snapshot", "regressed", "lost", "stale", "expired", "unknown"), 0
    )
    subscribes: dict[str, int] = {}
    current: list[float] = []
    all_current: float | None = drop
    never_current = 0
    for client in clients:
        sent = {number: t for t, _mode, number in client.subs}
        for _t, mode, _n in client.subs:
            subscribes[mode] = subscribes.get(mode, 0) + 1
        seen: set[int] = set()
        newest: dict[int, int] = {}
        view: dict[int, int] = {}
        for t, seq, task, stamp, added, number in client.receipts:
            if seq == EXPIRED:
                counts["expired"] += 1
                view.clear()
                continue
            newest[task] = max(seq, newest.get(task, -1))
            if seq < view.get(task, -1):
                counts["regressed"] += 1
            view[task] = seq
            if added:
                counts["snapshot"] += 1
                seen.add(seq)
                continue
            if seq in seen:
                counts["duplicated"] += 1
                continue
            seen.add(seq)
            if seq < 0:
                continue
            if seq not in stamp_of:
                counts["unknown"] += 1  # a write whose answer was lost (server stopping)
            latency = (t - stamp) * 1000
            if seq < first:
                first_changes.append(latency)
            window = _window(stamp, bounds)
            if window is not None:
                (live if stamp >= sent.get(number, t) else catch_up)[window].append(latency)
        for task, changes in committed.items():
            counts["lost"] += sum(1 for _ts, seq in changes if seq > newest.get(task, -1))
        counts["stale"] += sum(
            1 for task, seq in final.items() if seq >= 0 and client.view.get(task, -1) != seq
        )
        back = next((t for t, _mode, _n in client.subs if t >= drop), None)
        if back is None:
            never_current += 1
            continue
        at = _current_at(client, back, committed)
        if at is None:
            never_current += 1
            all_current = None
        else:
            current.append(at - back)
            if all_current is not None:
                all_current = max(all_current, at)
    return {
        **counts,
        "subscribes": subscribes,
        "current_after_reconnect_s": percentiles(current),
        "never_current": never_current,
        "all_current_after_drop_s": (all_current - drop) if all_current is not None else None,
        "latency_ms": {name: percentiles(values) for name, values in live.items()},
        "catch_up_ms": {name: percentiles(values) for name, values in catch_up.items()},
        "first_changes_ms": percentiles(first_changes),
        "committed": len(ok),
        "committed_by_window": {
            name: sum(1 for w in ok if _window(w["ts"], bounds) == name) for name in WINDOWS
        },
        "write_errors": len(writes) - len(ok),  # not committed, as far as anyone saw
        "unanswered_committed": sum(1 for w in writes if "error" in w and w["seq"] in seen),
    }
