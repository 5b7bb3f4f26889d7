"""Every generated GraphQL name, in one place.

Names are part of the public contract (docs/DESIGN.md): clients write them in queries and
codegen bakes them into TypeScript, so they are derived here and nowhere else::

    type_name(PostSerializer)            # "Post"
    list_field_name("board/tasks")       # "boardTasks"
    singular_name("documenttype", DocumentType)       # "documentType" (DRF's default basename)
    detail_field_name("users", "users", User)         # "usersDetail" (prefix == basename)
    enum_member_name("in-progress")      # "IN_PROGRESS"

A generated name that two different sources want is a build-time error
(:class:`NameRegistry`), never a silent overwrite; so are two names differing only in
case (``documentType`` and ``Documenttype``), which break codegen on case-insensitive
file systems and languages.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from strawberry.utils.str_converters import to_camel_case

__all__ = [
    "NameRegistry",
    "camel",
    "detail_field_name",
    "enum_member_name",
    "is_graphql_name",
    "list_field_name",
    "name_apart",
    "pascal",
    "qualified",
    "refuse_clash",
    "singular_name",
    "type_name",
]

_GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")


def is_graphql_name(name: str) -> bool:
    """True when ``name`` is a valid GraphQL name (``/[_A-Za-z][_0-9A-Za-z]*/``)."""
    return bool(_GRAPHQL_NAME.match(name)) and not name.startswith("__")


def camel(name: str) -> str:
    """camelCase the way Strawberry's auto camel-case does, after making a word of it.

    Characters that cannot appear in a GraphQL name (``-``, ``/``, ``.``) separate
    words, so ``"task-items"`` and ``"board/tasks"`` become ``taskItems``/``boardTasks``.
    The result is always a GraphQL name, for any serializer field name: accents are
    dropped (``"é"`` -> ``e``), a leading digit gets ``_`` (``"2fa"`` -> ``_2fa``), and
    a name with no Latin letter or digit left is its code points (``"名"`` -> ``_540d``).
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    word = to_camel_case(_NON_WORD.sub("_", ascii_name).strip("_"))
    if not word and name:
        word = "_" + "_".join(f"{ord(c):x}" for c in name.strip("_") or name)
    return f"_{word}" if word[:1].isdigit() else word


def pascal(name: str) -> str:
    """PascalCase of :func:`camel`: ``"due_date"`` -> ``"DueDate"``."""
    word = camel(name)
    return word[:1].upper() + word[1:]


def type_name(serializer_class: type) -> str:
    """Output type name: ``Meta.graphql_name`` if set, else the class name minus ``Serializer``."""
    meta = getattr(serializer_class, "Meta", None)
    explicit = getattr(meta, "graphql_name", None)
    if explicit:
        return str(explicit)
    name = serializer_class.__name__
    if name.endswith("Serializer") and name != "Serializer":
        name = name[: -len("Serializer")]
    return name


def list_field_name(prefix: str) -> str:
    """Query list field for a router prefix: ``"posts"`` -> ``posts``."""
    return camel(prefix)


def singular_name(basename: str, model: Any) -> str:
    """The camelCase singular of a registration: detail, mutation and subscription names.

    DRF's default basename is the model name lower-cased (``documenttype``), which
    loses the word boundaries; where the basename is that default, the model class
    gives them back (``DocumentType`` -> ``documentType``). A basename the project
    chose is kept as written (``"task-item"`` -> ``taskItem``).
    """
    object_name = getattr(getattr(model, "_meta", None), "object_name", None)
    if object_name and basename == object_name.lower():
        return camel(object_name[:1].lower() + object_name[1:])
    return camel(basename)


def detail_field_name(prefix: str, basename: str, model: Any) -> str:
    """The detail query field: the singular, or ``<singular>Detail`` where it is the list's.

    ``register("users", UserViewSet, basename="users")`` would give the list and the
    detail field the same name (or names differing only in case).
    """
    singular = singular_name(basename, model)
    if singular.lower() == list_field_name(prefix).lower():
        return f"{singular}Detail"
    return singular


def qualified(qualifier: str, name: str) -> str:
    """``name`` led by ``qualifier``: ``("virtualization", "interfaces")`` ->
    ``virtualizationInterfaces``."""
    return camel(f"{qualifier}_{name}") if qualifier else name


def name_apart(sources: list[tuple[str, list[Any]]]) -> list[Any]:
    """The endpoints of several routers, those whose names another router's repeat
    qualified apart.

    ``sources`` are (mount, endpoints) per router, in the order given. NetBox mounts a
    router per app and two register ``interfaces``: both lists get a qualifier
    (``dcimInterfaces``, ``virtualizationInterfaces``) whichever comes first, and so do
    the singular names where they clash too. The qualifier is the mount's last path
    segment (``build_schema({"api/dcim/": router, ...})``) where the clashing routers'
    differ, else the first package of the viewsets' modules that differs
    (``dcim.api.views``, ``virtualization.api.views``), else ``router<position>``.
    """
    import dataclasses

    groups: dict[tuple[str, str], list[tuple[int, Any]]] = {}
    for index, (_, endpoints) in enumerate(sources):
        for endpoint in endpoints:
            for kind, name in (("list", endpoint.list_name), ("one", endpoint.singular)):
                groups.setdefault((kind, name.lower()), []).append((index, endpoint))
    clashing = {key: group for key, group in groups.items() if len({i for i, _ in group}) > 1}
    found: list[Any] = []
    for index, (_, endpoints) in enumerate(sources):
        for endpoint in endpoints:
            lists = clashing.get(("list", endpoint.list_name.lower()))
            ones = clashing.get(("one", endpoint.singular.lower()))
            if lists or ones:
                qualifier = _qualifier(index, endpoint, lists or ones or [], sources)
                endpoint = dataclasses.replace(
                    endpoint, qualifier=qualifier, qualify_singular=ones is not None
                )
            found.append(endpoint)
    return found


def _qualifier(
    index: int, endpoint: Any, group: list[tuple[int, Any]], sources: list[tuple[str, list[Any]]]
) -> str:
    """What tells ``endpoint`` apart from the others of its clash ``group``."""
    mounts = [next(iter([s for s in sources[i][0].split("/") if s][-1:]), "") for i, _ in group]
    if all(mounts) and len(set(mounts)) == len(mounts):
        return mounts[[i for i, _ in group].index(index)]
    modules = [other.viewset.__module__.split(".") for _, other in group]
    own = endpoint.viewset.__module__.split(".")
    for depth, segment in enumerate(own):
        if len({tuple(m[: depth + 1]) for m in modules}) == len(modules):
            return segment
    return f"router{index + 1}"


def refuse_clash(serializer_class: type, taken_by: str | None, field_name: str) -> None:
    """Two fields of one serializer with one GraphQL name (``first_name`` and
    ``first-name``: both ``firstName``) are an error naming both, never one lost."""
    if taken_by is not None and taken_by != field_name:
        raise ImproperlyConfigured(
            f"{serializer_class.__module__}.{serializer_class.__qualname__}: the fields "
            f"{taken_by!r} and {field_name!r} both have the GraphQL name {camel(field_name)!r}. "
            "Rename one of them (its source= keeps the model attribute)."
        )


def enum_member_name(value: Any) -> str:
    """Enum member for a choice value: upper-cased, other characters as ``_``."""
    return re.sub(r"[^0-9A-Za-z_]", "_", str(value)).upper()


class NameRegistry:
    """Remembers which source claimed each generated type name.

    DRF projects routinely have two ``UserSerializer`` classes in different apps; Strawberry
    would fail later with an opaque "duplicate type" message, so the clash is reported
    here with both classes and the fix.
    """

    def __init__(self) -> None:
        self._owners: dict[str, str] = {}
        #: lower-cased name -> the name as claimed (case-only clashes)
        self._spellings: dict[str, str] = {}

    def claim(self, name: str, owner: str) -> None:
        """Reserve ``name`` for ``owner`` (a dotted path); a second owner is an error."""
        if not is_graphql_name(name):
            raise ImproperlyConfigured(
                f"{owner} would generate the GraphQL type name {name!r}, which is not a valid "
                "GraphQL name. Set `graphql_name` on the serializer's Meta class."
            )
        spelling = self._spellings.setdefault(name.lower(), name)
        current = self._owners.setdefault(spelling, owner)
        if current != owner or spelling != name:
            same = "the type" if spelling == name else "types differing only in case:"
            names = repr(name) if spelling == name else f"{spelling!r} and {name!r}"
            raise ImproperlyConfigured(
                f"GraphQL type name clash: {current} and {owner} generate {same} {names}. "
                "Rename one serializer, or give it `class Meta: graphql_name = 'OtherName'`."
            )

    def owner(self, name: str) -> str | None:
        """Who claimed ``name``, if anyone."""
        return self._owners.get(name)
