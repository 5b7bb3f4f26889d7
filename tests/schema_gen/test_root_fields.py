"""Root fields exist only for what REST serves (docs/DESIGN.md "Mutations"; issue 12).

A viewset that refuses a method over REST (405) must not get the GraphQL field for it:
``http_method_names``, the router's method map and the view's ``allowed_methods`` are
read exactly as DRF reads them. These build schemas through ``build_schema`` from small
self-written viewsets and read the root fields a client would see.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import permissions, serializers, viewsets
from rest_framework.routers import Route, SimpleRouter

from drf_graphql_live import build_schema
from schema_gen import Endpoint

User = get_user_model()


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name"]
        read_only_fields = ["username"]


class SignupSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


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


class SignupViewSet(viewsets.ModelViewSet):
    """POST only: REST answers 405 to GET, so nothing may be read or followed."""

    queryset = User.objects.all()
    serializer_class = SignupSerializer
    pagination_class = None
    filter_backends: list[type] = []
    http_method_names = ["post", "options"]


def without_delete(route: Any) -> Any:
    if not isinstance(route, Route):
        return route
    return route._replace(mapping={m: a for m, a in route.mapping.items() if m != "delete"})


class NoDeleteRouter(SimpleRouter):
    """A project router that routes no DELETE, whatever the viewsets have."""

    routes = [without_delete(route) for route in SimpleRouter.routes]


def roots(schema: Any) -> dict[str, set[str]]:
    """Root field names by kind: query, mutation, subscription."""
    found = {}
    for kind in ("query", "mutation", "subscription"):
        root_type = getattr(schema._schema, f"{kind}_type")
        found[kind] = set(root_type.fields) if root_type is not None else set()
    return found


def full_account_viewset(**attrs: Any) -> type:
    """AccountViewSet with DRF's default ``http_method_names``, plus ``attrs``."""
    defaults = {"http_method_names": viewsets.ModelViewSet.http_method_names}
    return type("FullAccountViewSet", (AccountViewSet,), {**defaults, **attrs})


def test_mutations_outside_http_method_names_are_not_generated() -> None:
    fields = roots(build_schema([("accounts", AccountViewSet, "account")]))
    assert fields["mutation"] == {"updateAccount"}
    assert fields["query"] == {"accounts", "account"}
    assert fields["subscription"] == {"accountChanged", "accountsChanged"}


def test_read_fields_and_subscriptions_are_not_generated_when_get_is_refused() -> None:
    schema = build_schema(
        [("accounts", AccountViewSet, "account"), ("signups", SignupViewSet, "signup")]
    )
    fields = roots(schema)
    assert "createSignup" in fields["mutation"]
    for name in ("signups", "signup", "signupChanged", "signupsChanged", "updateSignup"):
        assert all(name not in kind for kind in fields.values()), name


def test_actions_the_router_does_not_map_are_not_generated() -> None:
    router = NoDeleteRouter()
    router.register("accounts", full_account_viewset(), basename="account")
    fields = roots(build_schema(router))
    assert fields["mutation"] == {"createAccount", "updateAccount"}


def test_methods_outside_allowed_methods_are_not_generated() -> None:
    def allowed_methods(self: Any) -> list[str]:
        return ["GET", "PATCH", "HEAD", "OPTIONS"]

    viewset = full_account_viewset(allowed_methods=property(allowed_methods))
    fields = roots(build_schema([("accounts", viewset, "account")]))
    assert fields["mutation"] == {"updateAccount"}


def test_every_method_allowed_gives_every_mutation() -> None:
    fields = roots(build_schema([("accounts", full_account_viewset(), "account")]))
    assert fields["mutation"] == {"createAccount", "updateAccount", "deleteAccount"}


def test_has_action_is_false_for_a_refused_method() -> None:
    endpoint = Endpoint("accounts", "account", AccountViewSet)
    assert [endpoint.has_action(a) for a in ("list", "retrieve", "partial_update")] == [True] * 3
    assert not endpoint.has_action("create")
    assert not endpoint.has_action("destroy")
