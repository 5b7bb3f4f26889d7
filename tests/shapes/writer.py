"""Another program writing through the ORM: one JSON command per line on stdin.

    python -m tests.shapes.writer        (DJANGO_SETTINGS_MODULE=tests.shapes.settings)
    {"op": "setup", "users": 4}                      -> {"tokens": {...}, "shelves": [...]}
    {"op": "save", "shape": "uuid", "key": "...", "fields": {"title": "x"}}
    {"op": "join", "shelf": 1, "user": "u2"} / "leave" / "rename_folder" / "drop_folder"

Each command commits on its own (autocommit), so its change is announced from this
process, as a Celery worker's or a management command's would be.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import django

__all__: list[str] = []


def _setup(users: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from .models import Folder, Shelf

    User = get_user_model()
    people = [User.objects.create_user(f"u{n}", password="x") for n in range(users)]
    shelves = []
    for n in range(max(3, users // 2)):  # shelf n: users n and n+1, each shares with one
        shelf = Shelf.objects.create(name=f"shelf {n}")
        shelf.members.set([people[n % users], people[(n + 1) % users]])
        shelves.append(shelf.pk)
    for n in range(2):
        Folder.objects.create(code=f"f-{n}", name=f"folder {n}")
    return {
        "tokens": {u.username: Token.objects.create(user=u).key for u in people},
        "shelves": shelves,
    }


def _run(command: dict[str, Any]) -> Any:
    from django.contrib.auth import get_user_model

    from .api import KEY_FIELDS
    from .models import SHAPES, Folder, Shelf

    op = command["op"]
    if op == "setup":
        return _setup(command["users"])
    if op == "save":
        model = SHAPES[command["shape"]][0]
        lookup = {KEY_FIELDS.get(command["shape"], "pk"): command["key"]}
        for note in model.objects.filter(**lookup):
            for name, value in command["fields"].items():
                # the REST field names; the foreign keys' columns hold the ids and codes
                setattr(note, f"{name}_id" if name in ("shelf", "folder") else name, value)
            note.save()
        return "ok"
    if op in ("join", "leave"):
        shelf = Shelf.objects.get(pk=command["shelf"])
        user = get_user_model().objects.get(username=command["user"])
        (shelf.members.add if op == "join" else shelf.members.remove)(user)
        return "ok"
    if op == "rename_folder":
        for folder in Folder.objects.filter(code=command["code"]):
            folder.name = command["name"]
            folder.save()
        return "ok"
    if op == "drop_folder":
        Folder.objects.filter(code=command["code"]).delete()
        Folder.objects.create(code=command["code"], name="again")  # later writes may use it
        return "ok"
    if op == "drop_shelf":
        Shelf.objects.filter(pk=command["shelf"]).delete()
        return "ok"
    raise ValueError(f"unknown command {op!r}")


def main() -> None:
    django.setup()
    for line in sys.stdin:
        try:
            answer = {"ok": _run(json.loads(line))}
        except Exception as exc:  # reported to the test, which fails with it
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
