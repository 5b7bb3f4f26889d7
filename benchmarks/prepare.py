"""Prepare the benchmark database: migrate, seed the demo, add the bench tasks.

    python -m benchmarks.prepare --tasks 50     # prints JSON: token, task ids, ...

Uses the environment's database (``SQLITE_PATH`` or ``DATABASE_URL``; ``seed_demo
--flush`` deletes every project there). The bench tasks live in project "Bench"
(members alice and bob), all ``todo``, priority 2, assigned to alice, due 2099-12-31
and titled "bench ...", so that every subscription of the mixed workload (filters on
status, project, assignee, priority, due date, search "bench") matches every change.
One more task is the warm-up probe. SQLite files are switched to WAL, so the writer
and the readers (hub, naive re-fetches) do not block each other.

With ``--users N`` (the distinct-users modes, workloads.py) it also makes N users
``bench-d<i>``, members of Bench, and N users ``bench-m<i>``, user *i* a member of
mix project ``i % P`` of ``--projects P`` projects "Bench mix <p>" (alice is a member
of all of them, so the REST writer may change their tasks), each with a token.
``max(--tasks, P)`` mix tasks, task *j* in project ``j % P``, plus a probe task per
project. Users are created in bulk without a password (nobody logs in with one).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
from datetime import date

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_site.settings")


def _bench_task(project: object, title: str, assignee: object) -> object:
    from sample_site.board.models import Task

    return Task(
        project=project,
        title=title,
        status=Task.Status.TODO,
        priority=Task.Priority.NORMAL,
        assignee=assignee,
        due_date=date(2099, 12, 31),
    )


def _users(prefix: str, n: int) -> list[list]:
    """``n`` users with a token each, created in bulk: ``[[user id, token], ...]``."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    model = get_user_model()
    made = model.objects.bulk_create(
        [model(username=f"{prefix}{i:05d}", password="!") for i in range(n)]
    )
    if any(user.pk is None for user in made):  # a backend without RETURNING
        made = list(model.objects.filter(username__startswith=prefix).order_by("username"))
    tokens = Token.objects.bulk_create([Token(key=Token.generate_key(), user=u) for u in made])
    return [[user.pk, token.key] for user, token in zip(made, tokens, strict=True)]


def _distinct_users(n: int, projects: int, tasks: int, bench: object, alice: object) -> dict:
    """The distinct-users populations (see the module docstring)."""
    from django.contrib.auth import get_user_model

    from sample_site.board.models import Project, Task

    get_user_model().objects.filter(username__startswith="bench-").delete()
    distinct = _users("bench-d", n)
    bench.members.add(*[uid for uid, _token in distinct])
    mixed = _users("bench-m", n)
    made = [Project.objects.create(name=f"Bench mix {p}") for p in range(projects)]
    Membership = Project.members.through
    Membership.objects.bulk_create(
        [Membership(project=made[i % projects], user_id=uid) for i, (uid, _t) in enumerate(mixed)]
        + [Membership(project=project, user=alice) for project in made]
    )
    probes = Task.objects.bulk_create([_bench_task(p, "bench init probe", alice) for p in made])
    rows = Task.objects.bulk_create(
        [_bench_task(made[j % projects], f"bench init {j}", alice)
         for j in range(max(tasks, projects))]
    )  # fmt: skip
    project_tasks: list[list[int]] = [[] for _ in made]
    for j, task in enumerate(rows):
        project_tasks[j % projects].append(task.pk)
    return {
        "bench_users": distinct,
        "mix": {
            "projects": [project.pk for project in made],
            "users": mixed,
            "project_tasks": project_tasks,
            "probe_tasks": [task.pk for task in probes],
        },
    }


def prepare(tasks: int, users: int = 0, projects: int = 50) -> dict:
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
    users_by_name = {
        u.username: u for u in get_user_model().objects.filter(username__in=["alice", "bob"])
    }
    with transaction.atomic():
        project = Project.objects.create(name="Bench", description="benchmark tasks")
        project.members.set([users_by_name["alice"], users_by_name["bob"]])
        created = [
            Task.objects.create(
                project=project,
                title=f"bench init {i}",
                status=Task.Status.TODO,
                priority=Task.Priority.NORMAL,
                assignee=users_by_name["alice"],
                due_date=date(2099, 12, 31),
            )
            for i in range(tasks + 1)
        ]
        population = {}
        if users:
            population = _distinct_users(users, projects, tasks, project, users_by_name["alice"])
    return {
        **population,
        "token": tokens["alice"],
        "user": users_by_name["alice"].pk,
        "project": project.pk,
        "probe_task": created[0].pk,
        "tasks": [task.pk for task in created[1:]],
        "visible_tasks": Task.objects.filter(project__members=users_by_name["alice"]).count(),
        "vendor": connection.vendor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--users", type=int, default=0, help="distinct users per population")
    parser.add_argument("--projects", type=int, default=50, help="projects of the mix")
    args = parser.parse_args()
    print(json.dumps(prepare(args.tasks, args.users, args.projects)))


if __name__ == "__main__":
    main()
