"""The corpus' own models: one small group per pattern (see ``patterns/``).

No migrations on purpose: the app is installed only by ``tests.corpus.settings`` and the
test runner creates its tables (``run_syncdb``), so nothing here reaches sample_site.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.db import models

__all__ = [
    "Article",
    "Attachment",
    "Book",
    "Category",
    "City",
    "CorpusModel",
    "Country",
    "CurrentSpace",
    "Device",
    "DocumentType",
    "Grant",
    "Item",
    "Log",
    "Member",
    "Memo",
    "Note",
    "Recipe",
    "Report",
    "Secret",
    "Shelf",
    "Song",
    "Space",
    "Street",
    "Tag",
    "Term",
    "Writer",
]  # fmt: skip

USER = settings.AUTH_USER_MODEL


class CorpusModel(models.Model):
    """What every corpus model shares: a readable ``str`` in assertion messages."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} #{self.pk}"


class Member(CorpusModel):
    name = models.CharField(max_length=50)


class DocumentType(CorpusModel):
    name = models.CharField(max_length=50)


class Note(CorpusModel):
    text = models.CharField(max_length=100)


class Report(CorpusModel):
    title = models.CharField(max_length=100)
    secret = models.CharField(max_length=100, default="")
    owner = models.ForeignKey(USER, on_delete=models.CASCADE)


class Shelf(CorpusModel):
    name = models.CharField(max_length=50)


class Tag(CorpusModel):
    name = models.CharField(max_length=50)


class Book(CorpusModel):
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, related_name="books")
    title = models.CharField(max_length=100)
    genre = models.CharField(max_length=30)
    tags = models.ManyToManyField(Tag, blank=True)


class Category(CorpusModel):
    name = models.CharField(max_length=50)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )


class Secret(CorpusModel):
    value = models.CharField(max_length=100)


class Writer(CorpusModel):
    name = models.CharField(max_length=50)


class Article(CorpusModel):
    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"

    title = models.CharField(max_length=100)
    body = models.TextField(default="")
    # Old rows may hold values removed from the choices since ("archived").
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(Writer, on_delete=models.CASCADE, related_name="articles")

    @property
    def headline(self) -> str:
        return self.title.upper()


class Term(CorpusModel):
    word = models.CharField(max_length=50)
    aliases = models.JSONField(default=list)


class Country(CorpusModel):
    name = models.CharField(max_length=50)


class City(CorpusModel):
    name = models.CharField(max_length=50)
    country = models.ForeignKey(Country, on_delete=models.CASCADE)


class Street(CorpusModel):
    name = models.CharField(max_length=50)
    city = models.ForeignKey(City, on_delete=models.CASCADE)


class Attachment(CorpusModel):
    title = models.CharField(max_length=50)
    file = models.FileField(upload_to="corpus/")


class Item(CorpusModel):
    name = models.CharField(max_length=50)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    quantity = models.IntegerField(default=0)


class Log(CorpusModel):
    message = models.CharField(max_length=100)


class Memo(CorpusModel):
    text = models.CharField(max_length=100)


class Song(CorpusModel):
    title = models.CharField(max_length=100)
    artist = models.CharField(max_length=50)


class Space(CorpusModel):
    name = models.CharField(max_length=50, unique=True)


#: The tenant of the running request, set by ``patterns.tenant.SpaceMiddleware``.
CurrentSpace: ContextVar[Space] = ContextVar("CurrentSpace")


class SpaceScopedManager(models.Manager["Recipe"]):
    """Rows of the current space only; outside a request there is none (as django-scopes)."""

    def get_queryset(self) -> models.QuerySet[Recipe]:
        try:
            space = CurrentSpace.get()
        except LookupError:
            raise RuntimeError("Recipe queried outside a space scope") from None
        return super().get_queryset().filter(space=space)


class Recipe(CorpusModel):
    space = models.ForeignKey(Space, on_delete=models.CASCADE)
    name = models.CharField(max_length=50)

    objects = SpaceScopedManager()
    everywhere = models.Manager()  # noqa: DJ012 (two managers, the scoped one default)


class DeviceQuerySet(models.QuerySet["Device"]):
    """NetBox's ``RestrictedQuerySet``: ``restrict(user, action)`` reads the user's grants
    in Python and filters by their constraints (literal values in the SQL)."""

    def restrict(self, user: object, action: str = "view") -> DeviceQuerySet:
        if getattr(user, "is_superuser", False):
            return self
        allowed = models.Q(pk__in=[])
        for grant in Grant.objects.filter(user=user, action=action).order_by("id"):
            allowed |= models.Q(**grant.constraints)
        return self.filter(allowed)


class Device(CorpusModel):
    name = models.CharField(max_length=50)
    site = models.CharField(max_length=20)

    objects = DeviceQuerySet.as_manager()


class Grant(CorpusModel):
    """An object permission (NetBox's ``ObjectPermission``): ``action`` on the devices
    matching ``constraints`` (lookups, as ``{"site": "a"}``)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE)
    action = models.CharField(max_length=10, default="view")
    constraints = models.JSONField(default=dict)
