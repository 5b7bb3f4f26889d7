"""Another program writing through the ORM: one JSON command per line on stdin.

    python -m tests.shapes.writer        (DJANGO_SETTINGS_MODULE=tests.shapes.settings)
    {"op": "setup", "users": 4}                      -> {"tokens": {...}, "shelves": [...]}
    {"op": "save", "shape": "uuid", "key": "...", "fields": {"title": "x"}}
    {"op": "join", "shelf": 1, "user": "u2"} / "leave" / "rename_folder" / "drop_folder"
    {"op": "update", "shape": ..., "keys": [...], "fields": {...}}   QuerySet.update()
    {"op": "bulk_update", ...} / {"op": "raw", ...} (raw SQL) / {"op": "psql", ...} (no Django)
    {"op": "bulk_create", "shape": ..., "rows": [{fields}, ...]}     -> the new rows' keys

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
    if op in ("update", "bulk_update", "raw", "psql", "bulk_create"):
        return _bulk(command)
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


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    """REST field names -> model attributes (the foreign keys' columns hold ids and codes)."""
    return {f"{n}_id" if n in ("shelf", "folder") else n: v for n, v in fields.items()}


def _bulk(command: dict[str, Any]) -> Any:
    """Writes no model signal sees: the capture must announce them all the same."""
    from django.db import connection

    from drf_graphql_live.signals import publish_changes

    from .api import KEY_FIELDS
    from .models import SHAPES

    shape = command["shape"]
    model = SHAPES[shape][0]
    key_field = KEY_FIELDS.get(shape, "pk")
    if command["op"] == "bulk_create":
        made = model.objects.bulk_create([model(**_columns(row)) for row in command["rows"]])
        return [str(getattr(obj, key_field if key_field != "pk" else "pk")) for obj in made]
    notes = model.objects.filter(**{f"{key_field}__in": command["keys"]})
    values = _columns(command["fields"])
    if command["op"] == "update":
        return notes.update(**values)
    if command["op"] == "bulk_update":
        objs = list(notes)
        for obj in objs:
            for name, value in values.items():
                setattr(obj, name, value)
        return model.objects.bulk_update(objs, list(values))
    pks = list(notes.values_list("pk", flat=True))
    title = model._meta.get_field("title")
    table = title.model._meta.db_table  # a child's title lives in its parent's table
    pk_column = title.model._meta.pk.column
    stored = [model._meta.pk.get_db_prep_value(pk, connection) for pk in pks]
    if command["op"] == "psql":  # another program, no Django at all
        return _psql(table, pk_column, command["fields"]["title"], stored)
    with connection.cursor() as cursor:
        for key in stored:
            cursor.execute(
                f'UPDATE "{table}" SET "title" = %s WHERE "{pk_column}" = %s',
                [command["fields"]["title"], key],
            )
    if connection.vendor != "postgresql":  # documented: raw SQL there needs the call
        publish_changes(model, pks)
    return len(pks)


def _psql(table: str, pk_column: str, title: str, keys: list[Any]) -> int:
    import subprocess

    from django.db import connection

    params = connection.settings_dict
    quoted = ", ".join("'" + str(k).replace("'", "''") + "'" for k in keys) or "NULL"
    sql = (
        f'UPDATE "{table}" SET "title" = \'{title.replace(chr(39), chr(39) * 2)}\' '
        f'WHERE "{pk_column}"::text IN ({quoted})'
    )
    subprocess.run(
        ["psql", "-h", params["HOST"] or "127.0.0.1", "-p", str(params["PORT"] or 5432),
         "-U", params["USER"] or "postgres", "-d", params["NAME"], "-v", "ON_ERROR_STOP=1",
         "-c", sql],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return len(keys)


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
