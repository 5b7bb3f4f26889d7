"""REST routes of every corpus pattern, one URL prefix per pattern (``/<pattern>/...``)."""

from __future__ import annotations

from django.urls import include, path

from .patterns import (
    actions,
    answers,
    brief,
    clashes,
    dcim,
    filters,
    permissions,
    requests,
    routers,
    serializers,
    tenant,
    virtualization,
)  # fmt: skip

__all__ = ["ROUTERS", "urlpatterns"]

#: Pattern name -> its router; the URL prefix of its REST routes is the name.
ROUTERS = {
    "prefix_is_basename": routers.PREFIX_IS_BASENAME,
    "default_basename": routers.DEFAULT_BASENAME,
    "plain_viewset": routers.PLAIN_VIEWSET,
    "methods": routers.METHODS,
    "request_fields": requests.REQUEST_FIELDS,
    "request_serializer": requests.REQUEST_SERIALIZER,
    "context_filters": requests.CONTEXT_FILTERS,
    "post_reading_auth": requests.POST_READING_AUTH,
    "tree": serializers.TREE,
    "no_readable_field": serializers.NO_READABLE_FIELD,
    "read_only_source": serializers.READ_ONLY_SOURCE,
    "method_hints": serializers.METHOD_HINTS,
    "reverse_pk": serializers.REVERSE_PK,
    "old_choices": serializers.OLD_CHOICES,
    "list_of_values": serializers.LIST_OF_VALUES,
    "depth": serializers.DEPTH,
    "files": serializers.FILES,
    "unbound_filters": filters.UNBOUND_FILTERS,
    "hand_read_filters": filters.HAND_READ_FILTERS,
    "wrong_types": filters.WRONG_TYPES,
    "actions": actions.ACTIONS,
    "tenant": tenant.TENANT,
    "initial_restricted": permissions.INITIAL_RESTRICTED,
    "python_reads": permissions.PYTHON_READS,
    "sliced": permissions.SLICED,
    "generic": answers.GENERIC,
    "serialized_pk": answers.SERIALIZED_PK,
    "odd_lists": answers.ODD_LISTS,
    "mapped_errors": answers.MAPPED_ERRORS,
    "writable_nested": answers.WRITABLE_NESTED,
    "paginator_parameter": clashes.PAGINATOR_PARAMETER,
    "root_names": clashes.ROOT_NAMES,
    "odd_names": clashes.ODD_NAMES,
    "brief": brief.BRIEF,
}

urlpatterns = [path(f"{name}/", include(router.urls)) for name, router in ROUTERS.items()]
# Several routers, one per app, each under its own URL namespace (as NetBox mounts them).
urlpatterns += [
    path("api/dcim/", include((dcim.ROUTER.urls, "dcim-api"))),
    path("api/virtualization/", include((virtualization.ROUTER.urls, "virtualization-api"))),
]
