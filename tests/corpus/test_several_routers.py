"""Several routers, each included under a URL namespace, reusing a prefix (issue 23, 1-2).

NetBox mounts one router per app (``api/dcim/``, ``api/virtualization/``), each under its
app's namespace, and two apps register ``interfaces`` (same basename ``interface``).
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from drf_graphql_live import build_schema

from .helpers import assert_parity, graphql, list_parity, rest, subscription_delivers
from .models import Item, Song
from .patterns import dcim, virtualization

pytestmark = pytest.mark.django_db

NAMES = {
    "dcimInterfaces", "dcimInterface", "virtualizationInterfaces", "virtualizationInterface",
}  # fmt: skip


@functools.cache
def schema(order: str = "list") -> Any:
    if order == "list":
        return build_schema([dcim.ROUTER, virtualization.ROUTER])
    if order == "reversed":
        return build_schema([virtualization.ROUTER, dcim.ROUTER])
    return build_schema({"api/dcim/": dcim.ROUTER, "api/virtualization/": virtualization.ROUTER})


@pytest.mark.parametrize("order", ["list", "reversed", "mounts"])
def test_several_routers_reusing_a_prefix_are_named_apart_whatever_their_order(order):
    fields = set(schema(order)._schema.query_type.fields)
    assert fields >= NAMES
    assert "interfaces" not in fields
    mutations = set(schema(order)._schema.mutation_type.fields)
    assert {"createDcimInterface", "createVirtualizationInterface"} <= mutations
    subscriptions = set(schema(order)._schema.subscription_type.fields)
    assert {"dcimInterfacesChanged", "virtualizationInterfaceChanged"} <= subscriptions
    assert not schema(order).skipped  # nothing dropped


def test_something_that_is_no_router_is_refused_with_the_forms_accepted():
    with pytest.raises(ImproperlyConfigured, match="several routers"):
        build_schema([dcim.ROUTER, "interfaces"])


@pytest.fixture
def rows(db):
    Item.objects.create(name="eth0", price="1.00", quantity=1)
    Item.objects.create(name="eth1", price="1.00", quantity=2)
    Song.objects.create(title="vnic0", artist="kvm")


def test_each_router_answers_at_its_namespaced_route_like_rest(people, rows):
    """The operation runs at /api/dcim/interfaces/ (the middleware reads the path), and
    the page's ``next`` link is REST's."""
    ben = people["ben"]
    page = "{ dcimInterfaces { count next previous results { id name quantity } } }"
    got = graphql(schema(), page, user=ben)["dcimInterfaces"]
    expected = rest(ben, "/api/dcim/interfaces/")
    assert got["next"] == expected["next"]
    assert got["next"].startswith("http://testserver/api/dcim/interfaces/?page=2")
    assert_parity(schema(), "Interface", got["results"], expected["results"])
    list_parity(
        schema(), "virtualizationInterfaces", "VMInterface", "/api/virtualization/interfaces/", ben
    )
    item = Item.objects.first()
    detail = graphql(schema(), f'{{ dcimInterface(id: "{item.pk}") {{ name }} }}', user=ben)
    assert detail == {"dcimInterface": {"name": "eth0"}}


def test_a_mutation_runs_at_its_namespaced_route(people, rows):
    created = graphql(
        schema(),
        'mutation { createDcimInterface(input: {name: "eth2", quantity: 3}) { name } }',
        user=people["ben"],
    )
    assert created == {"createDcimInterface": {"name": "eth2"}}


@pytest.mark.django_db(transaction=True)
async def test_a_list_subscription_of_a_namespaced_router_hears_its_changes(people, fresh_hub):
    payload = await subscription_delivers(
        schema(), "subscription { dcimInterfacesChanged { kind node { name } } }",
        people["tokens"]["ben"],
        lambda: Item.objects.create(name="eth9", price="1.00", quantity=9),
    )  # fmt: skip
    assert payload == {
        "data": {"dcimInterfacesChanged": {"kind": "ADDED", "node": {"name": "eth9"}}}
    }


def test_one_router_under_a_namespace_runs_at_its_route(people, rows):
    """``reverse("interface-list")`` fails under a namespace: the route is found anyway."""
    alone = build_schema(dcim.ROUTER)
    got = graphql(alone, "{ interfaces { next results { name } } }", user=people["ben"])
    assert got["interfaces"]["next"] == rest(people["ben"], "/api/dcim/interfaces/")["next"]
