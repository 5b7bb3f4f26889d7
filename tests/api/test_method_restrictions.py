"""A method the viewset refuses is refused in GraphQL too, even when a field reaches it.

The generator leaves such fields out (tests/schema_gen/test_root_fields.py); these
tests build a schema the way the generator did before issue 12 (a field for every
action the viewset has) and check that the runtime still refuses, as REST does: the
viewset's ``http_method_names``, the router's method map and ``allowed_methods``
answer MethodNotAllowed (BAD_REQUEST) after ``initial()``, and the action never runs.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import include, path
from rest_framework import permissions, serializers, viewsets
from rest_framework.routers import Route, SimpleRouter
from rest_framework.test import APIClient

from drf_graphql_live import build_schema
from drf_graphql_live.testing import execute
from schema_gen import Endpoint

User = get_user_model()

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name"]
        read_only_fields = ["username"]


class AccountViewSet(viewsets.ModelViewSet):
    """One's own account: read and rename it; REST answers 405 to POST and DELETE."""

    queryset = User.objects.all()
    serializer_class = AccountSerializer
    pagination_class = None
    filter_backends: list[type] = []
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return User.objects.filter(pk=self.request.user.pk)


class MemberViewSet(AccountViewSet):
    """Every method allowed: only the router below refuses DELETE."""

    http_method_names = viewsets.ModelViewSet.http_method_names


class SignupViewSet(viewsets.ModelViewSet):
    """POST only: REST answers 405 to GET."""

    queryset = User.objects.all()
    serializer_class = AccountSerializer
    pagination_class = None
    filter_backends: list[type] = []
    permission_classes = [permissions.AllowAny]
    http_method_names = ["post", "options"]


def _without_delete(route: Any) -> Any:
    if not isinstance(route, Route):
        return route
    return route._replace(mapping={m: a for m, a in route.mapping.items() if m != "delete"})


class NoDeleteRouter(SimpleRouter):
    """A project router that routes no DELETE."""

    routes = [_without_delete(route) for route in SimpleRouter.routes]


router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("signups", SignupViewSet, basename="signup")
no_delete_router = NoDeleteRouter()
no_delete_router.register("members", MemberViewSet, basename="member")

#: The REST side of these tests (``pytest.mark.urls(__name__)``).
urlpatterns = [path("", include(router.urls)), path("", include(no_delete_router.urls))]

DELETE_ACCOUNT = "mutation($id: ID!) { deleteAccount(id: $id) }"
CREATE_ACCOUNT = 'mutation { createAccount(input: { firstName: "Eve" }) { id } }'


@pytest.fixture
def unguarded(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``build_schema`` as before issue 12: a field for every action the viewset has."""

    def has_action(self: Endpoint, action: str) -> bool:
        return callable(getattr(self.viewset, action, None))

    def build(source: Any) -> Any:
        with monkeypatch.context() as patch:
            patch.setattr(Endpoint, "has_action", has_action)
            return build_schema(source)

    return build


@pytest.fixture
def user() -> Any:
    return User.objects.create_user("dora", password="x")


def rest_client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error_of(result: Any) -> dict[str, Any]:
    assert result.errors, f"expected an error, got {result.data}"
    return {"message": result.errors[0].message, **(result.errors[0].extensions or {})}


def test_delete_outside_http_method_names_reached_anyway_is_bad_request(unguarded, user):
    schema = unguarded(router)
    error = error_of(execute(schema, DELETE_ACCOUNT, {"id": str(user.pk)}, user=user))
    assert error == {"message": 'Method "DELETE" not allowed.', "code": "BAD_REQUEST"}
    assert User.objects.filter(pk=user.pk).exists()


def test_rest_answers_405_to_the_same_delete(user):
    response = rest_client(user).delete(f"/accounts/{user.pk}/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
    assert User.objects.filter(pk=user.pk).exists()


def test_create_outside_http_method_names_reached_anyway_creates_nothing(unguarded, user):
    before = User.objects.count()
    error = error_of(execute(unguarded(router), CREATE_ACCOUNT, user=user))
    assert error["code"] == "BAD_REQUEST"
    assert rest_client(user).post("/accounts/", {"first_name": "Eve"}).status_code == 405
    assert User.objects.count() == before


def test_allowed_method_still_runs_on_the_same_viewset(unguarded, user):
    result = execute(
        unguarded(router),
        'mutation($id: ID!) { updateAccount(id: $id, input: { firstName: "Dee" }) { firstName } }',
        {"id": str(user.pk)},
        user=user,
    )
    assert result.errors is None, result.errors
    assert result.data == {"updateAccount": {"firstName": "Dee"}}


def test_list_when_get_is_refused_reached_anyway_is_bad_request(unguarded, user):
    error = error_of(execute(unguarded(router), "{ signups { id } }", user=user))
    assert error == {"message": 'Method "GET" not allowed.', "code": "BAD_REQUEST"}
    assert rest_client(user).get("/signups/").status_code == 405


def test_delete_the_router_does_not_map_reached_anyway_is_bad_request(unguarded, user):
    schema = unguarded(no_delete_router)
    mutation = "mutation($id: ID!) { deleteMember(id: $id) }"
    error = error_of(execute(schema, mutation, {"id": str(user.pk)}, user=user))
    assert error == {"message": 'Method "DELETE" not allowed.', "code": "BAD_REQUEST"}
    assert rest_client(user).delete(f"/members/{user.pk}/").status_code == 405
    assert User.objects.filter(pk=user.pk).exists()


def test_delete_outside_allowed_methods_reached_anyway_is_bad_request(unguarded, user):
    def allowed_methods(self: Any) -> list[str]:
        return ["GET", "PATCH", "HEAD", "OPTIONS"]

    viewset = type("Guarded", (MemberViewSet,), {"allowed_methods": property(allowed_methods)})
    schema = unguarded([("guarded", viewset, "guard")])
    mutation = "mutation($id: ID!) { deleteGuard(id: $id) }"
    error = error_of(execute(schema, mutation, {"id": str(user.pk)}, user=user))
    assert error["code"] == "BAD_REQUEST"
    assert User.objects.filter(pk=user.pk).exists()


def test_refused_method_answers_authentication_first_as_rest_does(unguarded, user):
    """DRF's dispatch() runs initial() before choosing the handler: 401 before 405."""
    error = error_of(execute(unguarded(router), DELETE_ACCOUNT, {"id": str(user.pk)}))
    assert error["code"] == "NOT_AUTHENTICATED"
    assert APIClient().delete(f"/accounts/{user.pk}/").status_code == 401
    assert User.objects.filter(pk=user.pk).exists()
