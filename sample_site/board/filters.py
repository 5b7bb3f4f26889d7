"""django-filter filter sets of the board.

Which rows a user can see at all is decided by the viewsets' ``get_queryset``; the
choice querysets here decide which *values* a filter accepts. They are scoped to the
requesting user too (django-filter calls a callable ``queryset`` with the request):
with ``Project.objects.all()``, ``?project=<another team's id>`` would answer an empty
list while a nonexistent id answers 400, telling a probing user which ids exist.
Scoped, both answer the same 400 "Select a valid choice", over REST and GraphQL alike::

    GET /api/tasks/?project=7          # 7 is carol's: 400, exactly as for id 9999
"""

from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from rest_framework.request import Request

from .models import Comment, Project, Task

User = get_user_model()


def _user(request: Request | None) -> Any:
    """The authenticated user, or None (anonymous, or the generator's request-less read)."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def member_projects(request: Request | None) -> QuerySet[Project]:
    """Projects the requesting user belongs to."""
    user = _user(request)
    return Project.objects.filter(members=user) if user else Project.objects.none()


def teammates(request: Request | None) -> QuerySet:
    """The requesting user and everyone sharing a project with them."""
    user = _user(request)
    if user is None:
        return User.objects.none()
    shared = Q(projects__in=Project.objects.filter(members=user)) | Q(pk=user.pk)
    return User.objects.filter(shared).distinct()


def visible_tasks(request: Request | None) -> QuerySet[Task]:
    """Tasks of the requesting user's projects."""
    user = _user(request)
    if user is None:
        return Task.objects.none()
    return Task.objects.filter(project__members=user).distinct()


class TaskFilter(django_filters.FilterSet):
    """``?status=&project=&assignee=&priority=&due_before=`` on the task list."""

    status = django_filters.ChoiceFilter(choices=Task.Status.choices)
    project = django_filters.ModelChoiceFilter(queryset=member_projects)
    assignee = django_filters.ModelChoiceFilter(queryset=teammates)
    priority = django_filters.TypedChoiceFilter(choices=Task.Priority.choices, coerce=int)
    due_before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label="Due on or before"
    )

    class Meta:
        model = Task
        fields = ["status", "project", "assignee", "priority", "due_before"]


class CommentFilter(django_filters.FilterSet):
    """``?task=`` on the comment list, accepting only tasks the user can see."""

    task = django_filters.ModelChoiceFilter(queryset=visible_tasks)

    class Meta:
        model = Comment
        fields = ["task"]
