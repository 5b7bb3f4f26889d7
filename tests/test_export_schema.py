"""manage.py export_schema: prints, writes and checks the project's SDL."""

from __future__ import annotations

import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import clear_url_caches
from strawberry.printer import print_schema

import sample_site
from sample_site.schema import schema


def export(*args: str, **options) -> str:
    out = StringIO()
    call_command("export_schema", *args, stdout=out, **options)
    return out.getvalue()


def test_prints_the_configured_schema():
    assert export() == print_schema(schema) + "\n"
    assert "createTask(input: TaskInput!): Task!" in export()


def test_falls_back_to_the_schema_built_by_the_urlconf(settings, monkeypatch):
    """As in a fresh ``manage.py`` process: the URLconf's import builds the schema.

    Other tests build schemas of their own in this process, so the URLconf and the
    module it builds the schema in are imported afresh here.
    """
    settings.DRF_GRAPHQL_LIVE = {}
    for module in ("urls", "schema"):
        monkeypatch.delitem(sys.modules, f"sample_site.{module}")
        monkeypatch.delattr(sample_site, module)
    clear_url_caches()
    try:
        exported = export()
        rebuilt = sys.modules["sample_site.schema"].schema
    finally:
        clear_url_caches()
    assert rebuilt is not schema
    assert exported == print_schema(rebuilt) + "\n"


def test_dotted_path_argument_wins(settings, tmp_path):
    settings.DRF_GRAPHQL_LIVE = {"SCHEMA": "no.such.schema"}
    assert "type Comment {" in export("sample_site.schema.schema")
    with pytest.raises(CommandError, match=r"no\.such\.schema"):
        export()


def test_path_writes_and_check_compares(tmp_path):
    target = tmp_path / "schema.graphql"
    with pytest.raises(CommandError, match="does not exist"):
        export("--path", str(target), "--check")
    export("--path", str(target))
    assert target.read_text() == print_schema(schema) + "\n"
    assert "up to date" in export("--path", str(target), "--check")
    target.write_text("type Query { stale: Int }\n")
    with pytest.raises(CommandError, match="out of date"):
        export("--path", str(target), "--check")
    assert target.read_text() == "type Query { stale: Int }\n"  # --check writes nothing


def test_check_without_path_is_an_error():
    with pytest.raises(CommandError, match="--check needs --path"):
        export("--check")


def test_path_in_a_new_folder_is_created(tmp_path):
    target = tmp_path / "generated" / "schema.graphql"
    export("--path", str(target))
    assert target.read_text() == print_schema(schema) + "\n"


def test_left_out_viewsets_are_printed_on_stderr():
    err = StringIO()
    sdl = export("tests.schemas.partial.schema", stderr=err)
    assert "projects(" in sdl
    assert "tasks" not in sdl
    assert err.getvalue() == (
        "Warning: tests.schemas.partial.ExplodingViewSet (registered as 'tasks') is left out "
        "of the GraphQL schema: RuntimeError: settings.FEATURE_FLAGS is not configured\n"
    )


def test_schema_that_cannot_be_built_shows_its_real_exception(settings):
    settings.DRF_GRAPHQL_LIVE = {"SCHEMA": "tests.schemas.broken.schema"}
    with pytest.raises(CommandError) as excinfo:
        export()
    message = str(excinfo.value)
    assert "AttributeError" in message
    assert "GRAPHQL_SCHEMA_OPTIONS_THAT_DO_NOT_EXIST" in message
    assert "does not define" not in message
