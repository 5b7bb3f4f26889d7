"""``python sample_site/manage.py seed_demo`` — demo users, projects, tasks, comments.

Re-runnable: users and their API tokens are kept (so clients configured with a token
keep working), while the demo projects are deleted and recreated from scratch, which
also removes their tasks and comments. ``--flush`` deletes *every* project first.

Users: ``alice`` and ``bob`` share "Website relaunch"; "Alice's errands" is alice's
alone; ``carol`` shares nothing with them ("Carol's lab"). All passwords are ``demo``;
a superuser ``admin`` / ``admin`` is created for the admin site.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from sample_site.board.models import Comment, Project, Task

User = get_user_model()

DEMO_PASSWORD = "demo"
TOKEN_USERS = ("alice", "bob", "carol")


@dataclass(frozen=True)
class TaskSpec:
    """One demo task; ``due_in`` is in days from today (negative means overdue)."""

    title: str
    status: str = Task.Status.TODO
    priority: int = Task.Priority.NORMAL
    assignee: str | None = None
    due_in: int | None = None
    estimate: str | None = None
    tags: list[str] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)  # (author, body)


@dataclass(frozen=True)
class ProjectSpec:
    name: str
    description: str
    members: tuple[str, ...]
    tasks: tuple[TaskSpec, ...]


S, P = Task.Status, Task.Priority

PROJECTS: tuple[ProjectSpec, ...] = (
    ProjectSpec(
        name="Website relaunch",
        description="New marketing site, shared by alice and bob.",
        members=("alice", "bob"),
        tasks=(
            TaskSpec(
                "Design the landing page",
                S.IN_PROGRESS,
                P.HIGH,
                "alice",
                3,
                "8.00",
                ["design", "frontend"],
                [("bob", "Can we reuse the old hero image?"), ("alice", "No, new brand.")],
            ),
            TaskSpec("Set up CI pipeline", S.DONE, P.NORMAL, "bob", -2, "3.50", ["devops"]),
            TaskSpec(
                "Write API documentation",
                S.TODO,
                P.NORMAL,
                "bob",
                7,
                "5.00",
                ["docs"],
                [("alice", "Please include the GraphQL examples.")],
            ),
            TaskSpec("Fix login redirect bug", S.TODO, P.HIGH, "alice", 1, "1.25", ["bug"]),
            TaskSpec("Choose analytics provider", S.TODO, P.LOW, None, None, None, []),
            TaskSpec(
                "Migrate blog posts",
                S.IN_PROGRESS,
                P.NORMAL,
                "bob",
                -1,
                "12.00",
                ["content", "backend"],
                [("bob", "Half of them are done.")],
            ),
            TaskSpec("Accessibility audit", S.TODO, P.HIGH, None, 14, "6.00", ["a11y"]),
        ),
    ),
    ProjectSpec(
        name="Alice's errands",
        description="Private to alice.",
        members=("alice",),
        tasks=(
            TaskSpec("Renew passport", S.TODO, P.HIGH, "alice", 10, None, ["admin"]),
            TaskSpec("Book dentist", S.DONE, P.LOW, "alice", None, "0.50", []),
            TaskSpec(
                "Plan team offsite",
                S.IN_PROGRESS,
                P.NORMAL,
                "alice",
                21,
                "4.00",
                ["team"],
                [("alice", "Shortlist: Lisbon, Porto.")],
            ),
        ),
    ),
    ProjectSpec(
        name="Carol's lab",
        description="Carol works alone; alice and bob must never see this.",
        members=("carol",),
        tasks=(
            TaskSpec("Calibrate sensors", S.TODO, P.HIGH, "carol", 2, "2.00", ["lab"]),
            TaskSpec(
                "Order reagents",
                S.DONE,
                P.NORMAL,
                "carol",
                -5,
                "0.75",
                ["lab", "purchasing"],
                [("carol", "Delivered on Monday.")],
            ),
        ),
    ),
)


class Command(BaseCommand):
    help = "Create (or recreate) the team-board demo data and print each user's API token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Delete all projects, tasks and comments first, not only the demo ones.",
        )

    def handle(self, *args: Any, flush: bool = False, **options: Any) -> None:
        with transaction.atomic():
            users = {name: self._user(name) for name in TOKEN_USERS}
            self._superuser()
            projects = (
                Project.objects.all()
                if flush
                else Project.objects.filter(name__in=[spec.name for spec in PROJECTS])
            )
            projects.delete()
            created = [self._project(spec, users) for spec in PROJECTS]
            task_count = sum(len(spec.tasks) for spec in PROJECTS)
            tokens = {name: Token.objects.get_or_create(user=users[name])[0] for name in users}

        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {len(PROJECTS)} projects and {task_count} tasks "
                f"for users {', '.join(TOKEN_USERS)} (password {DEMO_PASSWORD!r}); "
                "superuser admin/admin."
            )
        )
        for name, token in tokens.items():
            self.stdout.write(f"{name} token: {token.key}")
        # Ids change on every run (the projects are recreated): print them for the README's
        # examples, which take a project id.
        for project in created:
            self.stdout.write(f"project {project.pk}: {project.name}")

    def _user(self, username: str) -> AbstractBaseUser:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"first_name": username.capitalize(), "email": f"{username}@example.com"},
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user

    def _superuser(self) -> None:
        admin, _ = User.objects.get_or_create(
            username="admin", defaults={"email": "admin@example.com"}
        )
        admin.is_staff = admin.is_superuser = True
        admin.set_password("admin")
        admin.save()

    def _project(self, spec: ProjectSpec, users: dict[str, AbstractBaseUser]) -> Project:
        """Create one project with its tasks and comments."""
        project = Project.objects.create(name=spec.name, description=spec.description)
        project.members.set([users[name] for name in spec.members])
        today = timezone.localdate()
        for task_spec in spec.tasks:
            task = Task.objects.create(
                project=project,
                title=task_spec.title,
                status=task_spec.status,
                priority=task_spec.priority,
                assignee=users[task_spec.assignee] if task_spec.assignee else None,
                due_date=(
                    today + timedelta(days=task_spec.due_in)
                    if task_spec.due_in is not None
                    else None
                ),
                estimate=Decimal(task_spec.estimate) if task_spec.estimate else None,
                tags=list(task_spec.tags),
            )
            for author, body in task_spec.comments:
                Comment.objects.create(task=task, author=users[author], body=body)
        return project
