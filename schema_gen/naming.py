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
    "pascal",
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
    """
    return to_camel_case(_NON_WORD.sub("_", name).strip("_"))


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
