"""Prepare the benchmark database: migrate, seed the demo, add the bench tasks.

    python -m benchmarks.prepare --tasks 50     # prints JSON: token, task ids, ...

Uses the environment's database (``SQLITE_PATH`` or ``DATABASE_URL``; ``seed_demo
--flush`` deletes every project there). The bench tasks live in project "Bench"
(members alice and bob), all ``todo``, priority 2, assigned to alice, due 2099-12-31
and titled "bench ...", so that every subscription of the mixed workload (filters on
status, project, assignee, priority, due date, search "bench") matches every change.
One more task is the warm-up probe. SQLite files are switched to WAL, so the writer
and the readers (hub, naive re-fetches) do not block each other.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
from datetime import date

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_site.settings")


def prepare(tasks: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from sample_site.board.models import Project, Task

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
    call_command("migrate", "--noinput", verbosity=0)
    out = io.StringIO()
    call_command("seed_demo", "--flush", stdout=out)
    tokens = dict(re.findall(r"^(\w+) token: (\w+)$", out.getvalue(), re.MULTILINE))
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["alice", "bob"])}
    with transaction.atomic():
        project = Project.objects.create(name="Bench", description="benchmark tasks")
        project.members.set([users["alice"], users["bob"]])
        created = [
            Task.objects.create(
                project=project,
                title=f"bench init {i}",
                status=Task.Status.TODO,
                priority=Task.Priority.NORMAL,
                assignee=users["alice"],
                due_date=date(2099, 12, 31),
            )
            for i in range(tasks + 1)
        ]
    return {
        "token": tokens["alice"],
        "user": users["alice"].pk,
        "project": project.pk,
        "probe_task": created[0].pk,
        "tasks": [task.pk for task in created[1:]],
        "visible_tasks": Task.objects.filter(project__members=users["alice"]).count(),
        "vendor": connection.vendor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=50)
    print(json.dumps(prepare(parser.parse_args().tasks)))


if __name__ == "__main__":
    main()
