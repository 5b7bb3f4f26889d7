"""django-filter filter sets of the board.

The choices/querysets here only validate the *value*; which rows a user can see at all
is decided by the viewsets' ``get_queryset``.
"""

import django_filters
from django.contrib.auth import get_user_model

from .models import Project, Task

User = get_user_model()


class TaskFilter(django_filters.FilterSet):
    """``?status=&project=&assignee=&priority=&due_before=`` on the task list."""

    status = django_filters.ChoiceFilter(choices=Task.Status.choices)
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all())
    assignee = django_filters.ModelChoiceFilter(queryset=User.objects.all())
    priority = django_filters.TypedChoiceFilter(choices=Task.Priority.choices, coerce=int)
    due_before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label="Due on or before"
    )

    class Meta:
        model = Task
        fields = ["status", "project", "assignee", "priority", "due_before"]
