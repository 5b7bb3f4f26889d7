"""Run drf-graphql-live against real DRF projects and print the figures.

    python benchmarks/realworld/run.py all \\
        --paperless /tmp/rw/paperless --paperless-python /tmp/rw/venv/bin/python \\
        --spectacular /tmp/rw/spectacular --spectacular-python /tmp/rw/venv-spec/bin/python

Each probe runs in the project's own virtualenv (this package installed there with
``pip install -e``), in a subprocess, with no DATABASE_URL/REDIS_URL (SQLite, in-memory
layer); the full JSON goes to ``--json`` (default ``benchmarks/results/realworld.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["main", "run_probe", "summarize"]

ROOT = Path(__file__).resolve().parents[2]
#: A probe runs a whole test suite (drf-spectacular's: ~1,000 tests); bounded anyway.
TIMEOUT = 1800
PROJECTS = ("paperless", "spectacular")


def run_probe(
    project: str, checkout: Path, python: str, database_url: str | None = None
) -> dict[str, Any]:
    """The probe's JSON, or what went wrong before it could print one."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [python, "-m", f"benchmarks.realworld.{project}", str(checkout.resolve())]
    command += [database_url] if database_url else []
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("RESULT:"):
            return json.loads(line.removeprefix("RESULT:"))
    return {"probe_failed": done.returncode, "stderr": done.stderr[-3000:]}


def summarize(project: str, report: dict[str, Any]) -> list[str]:
    """The lines a reader wants: builds, JSON fields, warnings, causes; paperless' checks."""
    if "probe_failed" in report:
        return [f"{project}: probe failed ({report['probe_failed']}):", report["stderr"]]
    per = report["per_viewset"]["summary"] if project == "paperless" else report["summary"]
    lines = [
        f"{project}: viewsets registered {per['registered']}, built alone {per['built']} "
        f"({per.get('built_whole', '?')} with nothing left out); "
        f"fields {per['fields']} ({per['json_fields']} JSON); warnings {per['warnings']}",
        *(f"  {count:3d} x {cause}" for cause, count in per["top_causes"]),
    ]
    if project == "paperless":
        lines += _paperless_lines(report)
    else:
        lines.append(f"  (its own test suite exited {report.get('suite_exit_status')})")
    return lines


def _paperless_lines(report: dict[str, Any]) -> list[str]:
    lines = [
        f"  {name}: {_ok(report.get(name))}" for name in ("migrate", "build_whole_router", "users")
    ]
    parity = report.get("parity")
    if parity:
        lines.append(
            f"  parity (list + first detail, per user): {parity['equal']}/{parity['checked']} equal"
        )
        for prefix, verdicts in parity["endpoints"].items():
            odd = {u: v for u, v in verdicts.items() if v != "equal"}
            if odd:
                lines.append(f"    {prefix}: {odd}")
    lines += _capture_lines(report.get("capture"))
    lines.append(f"  mutations: {report.get('mutations')}")
    for field, outcome in (report.get("subscription") or {}).items():
        why = "delivered" if outcome.get("delivered") else outcome.get("cause", "")[:200]
        lines.append(f"  subscription {field}: {why}")
    return lines + _distinct_lines(report.get("distinct_users"))


def _distinct_lines(outcome: dict[str, Any] | None) -> list[str]:
    """Per step: what alice's and bob's sockets heard, and whether REST agrees."""
    if not outcome:
        return ["  distinct users: not run"]
    batches = outcome.get("batches", [])
    lines = [
        f"  distinct users (tagsChanged, alice + bob): as expected {outcome.get('as_expected')}, "
        f"socket == REST at every step {outcome.get('agreed')}; batches "
        + ", ".join(
            f"{b['groups']} groups/{b['membership']} membership/{b['sql']} SQL" for b in batches
        )
    ]
    for step in outcome.get("steps", []):
        heard = []
        for name in ("alice", "bob"):
            user = step.get(name)
            if user is None:
                continue
            events = ", ".join(f"{e.get('kind') or e.get('type')} {e['ms']:.0f} ms"
                               for e in user["events"]) or "nothing"  # fmt: skip
            verdict = (
                "= REST"
                if user["agrees"]
                else (f"socket only {user['only_socket']}, REST only {user['only_rest']}")
            )
            heard.append(f"{name}: {events} ({verdict})")
        failed = f" WRITE FAILED {step['write_error']['cause']}" if "write_error" in step else ""
        lines.append(f"    {step['step']}:{failed} " + "; ".join(heard))
    for what in ("why", "error"):
        if what in outcome:
            lines.append(f"    {what}: {outcome[what]}")
    lines += [f"    log {r['level']}: {r['message'][:200]}" for r in outcome.get("log", [])]
    return lines


def _capture_lines(capture: dict[str, Any] | None) -> list[str]:
    """On PostgreSQL: migrate's time, the triggers and W007 after each migrate, raw writes."""
    if not capture:
        return []
    lines = [f"  database capture (first migrate {capture.get('first_migrate_seconds')} s):"]
    states = [("after migrate", capture.get("after_migrate"))]
    states.append(("after a second migrate", capture.get("after_second_migrate")))
    unmigrate = capture.get("unmigrate") or {}
    states += [("after migrate paperless_mail zero", unmigrate.get("after_zero"))]
    states += [("after migrate again", unmigrate.get("after_forward"))]
    for label, state in states:
        if state:
            lines.append(
                f"    {label}: triggers on {state['tables_with_triggers']}/"
                f"{len(state['watched_tables'])} watched tables ({state['triggers']}), "
                f"missing {len(state['missing'])}, checks {state['checks'] or 'none'}"
            )
    for name, outcome in (capture.get("raw_writes") or {}).items():
        if not isinstance(outcome, dict) or "delivered" not in outcome:
            lines.append(f"    {name}: {outcome}")
            continue
        why = f"{outcome['ms']} ms" if outcome["delivered"] else outcome.get("cause", "")[:200]
        lines.append(f"    {name} -> tagsChanged delivered {outcome['delivered']}: {why}")
    return lines


def _ok(step: dict[str, Any] | None) -> str:
    if step is None:
        return "not run"
    return "ok" if step["ok"] else f"FAILED {step['cause']} at {step['where']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", choices=[*PROJECTS, "all"])
    for project in PROJECTS:
        parser.add_argument(f"--{project}", type=Path, help=f"{project} checkout")
        parser.add_argument(f"--{project}-python", default=sys.executable)
    parser.add_argument(
        "--paperless-database-url",
        help="postgres://... of an empty database: paperless on PostgreSQL, database capture",
    )
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/realworld.json")
    options = parser.parse_args(argv)
    chosen = PROJECTS if options.project == "all" else (options.project,)
    reports = {}
    for project in chosen:
        checkout = getattr(options, project)
        if checkout is None:
            parser.error(f"--{project} CHECKOUT is required")
        python = getattr(options, f"{project}_python")
        url = options.paperless_database_url if project == "paperless" else None
        reports[project] = run_probe(project, checkout, python, url)
        print("\n".join(summarize(project, reports[project])), flush=True)
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(reports, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
