"""Operations take the project's own request path: its middleware, sensible headers.

A multi-tenant project's middleware sets ``request.space`` and its viewset reads it;
GraphQL queries, mutations and subscription evaluations must see it as REST does. A
middleware that answers instead of the view (a redirect, a 403) is a coded error. The
synthetic request carries no body headers, so an authentication class reading
``request.POST`` (django-oauth-toolkit's OAuth2Authentication) works with a bearer token.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import include, path
from oauthlib.oauth2 import RequestValidator
from rest_framework import permissions, serializers, viewsets
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIClient

from drf_graphql_live import build_schema
from drf_graphql_live.testing import execute, make_context
from sample_site.board.models import Project, Task

User = get_user_model()

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

BASE_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
SPACE_MIDDLEWARE = f"{__name__}.SpaceMiddleware"
GATE_MIDDLEWARE = f"{__name__}.GateMiddleware"


class SpaceMiddleware:
    """The tenant middleware of a real project: the ``X-Space`` header names the space."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        name = request.headers.get("X-Space", "")
        request.space = Project.objects.filter(name=name).first()  # type: ignore[attr-defined]
        return self.get_response(request)


class GateMiddleware:
    """Sends requests without ``X-Pass`` to a login page, as LoginRequired-style ones do."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        if "X-Pass" not in request.headers:
            return HttpResponseRedirect("/login/")
        return self.get_response(request)


class SpacedTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title"]


class SpacedTaskViewSet(viewsets.ModelViewSet):
    """Tasks of the request's space only; new ones go into it."""

    serializer_class = SpacedTaskSerializer
    pagination_class = None
    filter_backends: list[type] = []
    permission_classes = [permissions.IsAuthenticated]
    queryset = Task.objects.all()

    def get_queryset(self) -> Any:
        return Task.objects.filter(project=self.request.space).order_by("id")

    def perform_create(self, serializer: Any) -> None:
        serializer.save(project=self.request.space)


class OAuthTaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Authenticated with django-oauth-toolkit only."""

    serializer_class = SpacedTaskSerializer
    pagination_class = None
    filter_backends: list[type] = []
    permission_classes = [permissions.IsAuthenticated]
    queryset = Task.objects.order_by("id")

    @property
    def authentication_classes(self) -> list[type]:  # type: ignore[override]
        from oauth2_provider.contrib.rest_framework import OAuth2Authentication

        return [OAuth2Authentication]


router = SimpleRouter()
router.register("spaced-tasks", SpacedTaskViewSet, basename="spaced-task")
router.register("oauth-tasks", OAuthTaskViewSet, basename="oauth-task")
urlpatterns = [path("", include(router.urls))]

BEARER = "a-bearer-token"


class BearerValidator(RequestValidator):
    """django-oauth-toolkit's validator contract, with one token (no oauth2_provider tables)."""

    def validate_bearer_token(self, token: str, scopes: Any, request: Any) -> bool:
        if token != BEARER:
            return False
        request.user = User.objects.get(username="olga")
        request.access_token = token
        return True


@pytest.fixture(scope="module")
def schema() -> Any:
    return build_schema(router)


@pytest.fixture
def spaces(db: None) -> dict[str, Any]:
    user = User.objects.create_user("olga", password="x")
    red, blue = Project.objects.create(name="red"), Project.objects.create(name="blue")
    Task.objects.create(project=red, title="red one")
    Task.objects.create(project=blue, title="blue one")
    return {"user": user, "red": red, "blue": blue}


@pytest.fixture
def space_middleware(settings: Any) -> None:
    settings.MIDDLEWARE = [*BASE_MIDDLEWARE, SPACE_MIDDLEWARE]


def data_of(result: Any) -> Any:
    assert result.errors is None, result.errors
    return result.data


def error_of(result: Any) -> dict[str, Any]:
    assert result.errors, f"expected an error, got {result.data}"
    return {"message": result.errors[0].message, **(result.errors[0].extensions or {})}


def test_query_sees_the_space_the_middleware_sets(schema, spaces, space_middleware):
    result = execute(
        schema, "{ spacedTasks { title } }", user=spaces["user"], headers={"X-Space": "red"}
    )
    client = APIClient()
    client.force_authenticate(spaces["user"])
    rest = client.get("/spaced-tasks/", HTTP_X_SPACE="red").json()
    assert (
        data_of(result)["spacedTasks"]
        == [{"title": "red one"}]
        == [{"title": t["title"]} for t in rest]
    )


def test_mutation_creates_in_the_space_the_middleware_sets(schema, spaces, space_middleware):
    query = 'mutation { createSpacedTask(input: { title: "new" }) { title } }'
    result = execute(schema, query, user=spaces["user"], headers={"X-Space": "blue"})
    assert data_of(result) == {"createSpacedTask": {"title": "new"}}
    assert Task.objects.get(title="new").project == spaces["blue"]


def test_middleware_redirect_is_a_coded_error_and_the_view_never_runs(schema, spaces, settings):
    settings.MIDDLEWARE = [*BASE_MIDDLEWARE, GATE_MIDDLEWARE, SPACE_MIDDLEWARE]
    query = 'mutation { createSpacedTask(input: { title: "gated" }) { title } }'
    error = error_of(execute(schema, query, user=spaces["user"], headers={"X-Space": "red"}))
    assert error["code"] == "BAD_REQUEST"
    assert error["status"] == 302
    assert error["location"] == "/login/"
    assert not Task.objects.filter(title="gated").exists()
    passed = execute(
        schema,
        "{ spacedTasks { title } }",
        user=spaces["user"],
        headers={"X-Space": "red", "X-Pass": "1"},
    )
    assert data_of(passed) == {"spacedTasks": [{"title": "red one"}]}


def test_middleware_forbidding_is_permission_denied(schema, spaces, settings):
    settings.MIDDLEWARE = BASE_MIDDLEWARE  # CommonMiddleware refuses disallowed user agents
    settings.DISALLOWED_USER_AGENTS = [re.compile("^bot")]
    headers = {"User-Agent": "bot/1", "X-Space": "red"}
    error = error_of(
        execute(schema, "{ spacedTasks { title } }", user=spaces["user"], headers=headers)
    )
    assert error["code"] == "PERMISSION_DENIED"
    assert error["status"] == 403


def test_oauth2_bearer_token_authenticates_a_query(schema, spaces, settings):
    settings.OAUTH2_PROVIDER = {"OAUTH2_VALIDATOR_CLASS": f"{__name__}.BearerValidator"}
    # The operation's context as the HTTP transport builds it: the POST's own headers,
    # Content-Type and Content-Length of its JSON body among them.
    context = make_context(headers={"Authorization": f"Bearer {BEARER}"})
    context.scope = {
        **context.scope,
        "method": "POST",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", b"43"),
        ],
    }
    result = async_to_sync(schema.execute)("{ oauthTasks { title } }", context_value=context)
    assert data_of(result) == {"oauthTasks": [{"title": "red one"}, {"title": "blue one"}]}
    context.headers = {"Authorization": "Bearer wrong"}
    refused = async_to_sync(schema.execute)("{ oauthTasks { title } }", context_value=context)
    assert error_of(refused)["code"] == "NOT_AUTHENTICATED"


def test_a_kept_request_keeps_nothing_of_the_operations_it_ran():
    """A live group keeps its request for as long as it lives: not each run's result."""
    import weakref

    from django.test import RequestFactory

    from drf_graphql_live.api.middleware import through_middleware

    class Result:
        pass

    request = RequestFactory().get("/api/tasks/")
    results = [Result()]
    kept = weakref.ref(results[0])

    def outer(r: HttpRequest) -> Any:  # a chain run from within another's work
        assert through_middleware(r, lambda _: None, lambda _: "inner") == "inner"
        return results[0]

    assert through_middleware(request, lambda _: None, outer) is results[0]
    results.clear()
    assert kept() is None
    assert not hasattr(request, "_drf_graphql_live_passage")
