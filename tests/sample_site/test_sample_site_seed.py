"""The seed_demo management command: data, printed tokens, re-runnability."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sample_site.board.models import Comment, Project, Task

pytestmark = pytest.mark.django_db

User = get_user_model()
TOKEN_LINE = re.compile(r"^(\w+) token: ([0-9a-f]{40})$", re.MULTILINE)


def seed(*args: str) -> dict[str, str]:
    """Run seed_demo and return the printed ``{username: token}``."""
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return dict(TOKEN_LINE.findall(out.getvalue()))


def counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Project.objects.count(),
        Task.objects.count(),
        Comment.objects.count(),
    )


def test_seed_prints_a_working_token_per_user() -> None:
    tokens = seed()
    assert set(tokens) == {"alice", "bob", "carol"}
    for username, key in tokens.items():
        assert Token.objects.get(key=key).user.username == username

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens['bob']}")
    response = client.get("/api/tasks/")
    assert response.status_code == 200
    assert response.json()["count"] == 7  # only "Website relaunch"


def test_seed_creates_the_demo_board() -> None:
    seed()
    assert counts() == (4, 3, 12, 6)
    for username in ("alice", "bob", "carol"):
        assert authenticate(username=username, password="demo") is not None
    admin = authenticate(username="admin", password="admin")
    assert admin is not None
    assert admin.is_superuser

    alice_projects = set(
        Project.objects.filter(members__username="alice").values_list("name", flat=True)
    )
    assert alice_projects == {"Website relaunch", "Alice's errands"}
    assert set(
        Project.objects.filter(members__username="carol").values_list("name", flat=True)
    ) == {"Carol's lab"}
    statuses = set(Task.objects.values_list("status", flat=True))
    assert statuses == {"todo", "in_progress", "done"}
    assert set(Task.objects.values_list("priority", flat=True)) == {1, 2, 3}
    assert Task.objects.filter(assignee=None).exists()
    assert Task.objects.exclude(tags=[]).exists()


def test_seed_is_rerunnable_and_keeps_tokens() -> None:
    first = seed()
    before = counts()
    second = seed()
    assert counts() == before
    assert second == first


def test_seed_keeps_other_projects_unless_flushed() -> None:
    seed()
    Project.objects.create(name="Someone else's")
    seed()
    assert Project.objects.filter(name="Someone else's").exists()
    seed("--flush")
    assert not Project.objects.filter(name="Someone else's").exists()
    assert Project.objects.count() == 3


PROJECT_LINE = re.compile(r"^project (\d+): (.+)$", re.MULTILINE)
README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def readme_example(name: str) -> str:
    """The code block after ``<!-- example: NAME -->`` in README.md."""
    found = re.search(rf"<!-- example: {name} -->\s*```\w*\n(.*?)```", README, re.DOTALL)
    assert found, f"README.md has no example {name!r}"
    return found.group(1)


def test_seed_prints_each_project_id_and_the_readme_mutation_works_after_a_reseed() -> None:
    seed()
    out = StringIO()
    call_command("seed_demo", stdout=out)  # a second `make demo`: every id has changed
    projects = {name: int(pk) for pk, name in PROJECT_LINE.findall(out.getvalue())}
    assert projects == {project.name: project.pk for project in Project.objects.all()}
    tokens = dict(TOKEN_LINE.findall(out.getvalue()))

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens['alice']}")
    body = {
        "query": readme_example("create-task"),
        "variables": {"project": projects["Website relaunch"]},
    }
    response = client.post("/graphql/", body, format="json")
    assert response.status_code == 200
    created = response.json()["data"]["createTask"]
    assert created["status"] == "IN_PROGRESS"
    assert Task.objects.get(pk=created["id"]).project.name == "Website relaunch"
