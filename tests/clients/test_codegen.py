"""The typed-client recipe of the README: export_schema, then graphql-codegen
(typescript + typescript-operations, codegen.yml) over the live board page's
operations, then tsc: the page type-checks against types generated from our schema.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.browser.support import ROOT

FRONTEND = ROOT / "sample_site" / "board" / "frontend"
GENERATED = FRONTEND / "generated"


def run(*command: str | Path) -> str:
    result = subprocess.run(
        [str(part) for part in command], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_codegen_recipe_types_the_board_page(node_modules):
    # As on a fresh checkout: generated/ is not committed (export_schema needs the folder).
    GENERATED.mkdir(exist_ok=True)
    for stale in ("schema.graphql", "schema.ts", "graphql.ts"):
        (GENERATED / stale).unlink(missing_ok=True)

    run(
        sys.executable,
        "sample_site/manage.py",
        "export_schema",
        "--path",
        GENERATED / "schema.graphql",
    )
    assert "tasksChanged(" in (GENERATED / "schema.graphql").read_text()

    run(node_modules / ".bin" / "graphql-codegen", "--config", "codegen.yml")
    schema_types = (GENERATED / "schema.ts").read_text()
    assert "export type TaskStatus =\n  | 'DONE'\n  | 'IN_PROGRESS'\n  | 'TODO';" in schema_types
    assert "export type ChangeKind =" in schema_types
    assert "export type TaskInput = {" in schema_types

    operations = (GENERATED / "graphql.ts").read_text()
    assert "import type * as Types from './schema';" in operations
    for name in (
        "BoardQuery",
        "TasksChangedSubscription",
        "TasksChangedSubscriptionVariables",
        "CreateTaskMutation",
        "CreateTaskMutationVariables",
        "UpdateTaskStatusMutationVariables",
        "DeleteTaskMutation",
    ):
        assert f"export type {name} = " in operations, name
    subscription = next(
        line
        for line in operations.splitlines()
        if line.startswith("export type TasksChangedSubscription = ")
    )
    for field in (
        "kind: Types.ChangeKind",
        "id: string",
        "title: string",
        "status: Types.TaskStatus",
    ):
        assert field in subscription, field

    # board.ts imports these types: it type-checks against them.
    run(node_modules / ".bin" / "tsc", "-p", FRONTEND)
