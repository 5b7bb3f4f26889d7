"""DRF serializers of the board.

They are written the way a REST API would be, with no GraphQL in mind: nested read-only
serializers (``assignee_detail``, ``comments``) and per-object counts deliberately make
the N+1 pattern visible, which the GraphQL layer is expected to optimise on its own.
Relations that a client writes are restricted to what the requesting user may see, so
a user cannot attach a task to someone else's project by guessing its id.
"""

import re
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from .models import Comment, Project, Task

User = get_user_model()

_HAS_WORD_CHARACTER = re.compile(r"\w")
MAX_TAGS = 10


def _request_user(serializer: serializers.Field) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class UserSerializer(serializers.ModelSerializer):
    """Public view of a user: no e-mail, no flags."""

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name"]
        read_only_fields = fields


class MemberProjectField(serializers.PrimaryKeyRelatedField):
    """A project id, valid only for projects the requesting user belongs to.

    Unknown and foreign projects get the same "does not exist" error, so ids of other
    teams' projects cannot be probed.
    """

    def get_queryset(self) -> QuerySet[Project]:
        user = _request_user(self)
        if user is None or not user.is_authenticated:
            return Project.objects.none()
        return Project.objects.filter(members=user)


class VisibleTaskField(serializers.PrimaryKeyRelatedField):
    """A task id, valid only for tasks of the requesting user's projects."""

    def get_queryset(self) -> QuerySet[Task]:
        user = _request_user(self)
        if user is None or not user.is_authenticated:
            return Task.objects.none()
        return Task.objects.filter(project__members=user).distinct()


class ProjectSerializer(serializers.ModelSerializer):
    """A project with its member ids and how many tasks it holds."""

    members = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.all(), required=False
    )
    task_count = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "description", "members", "task_count", "created_at"]
        read_only_fields = ["created_at"]
        # task_count reads the project's tasks, which no serializer field shows: tell
        # drf-graphql-live, so projectsChanged subscribers hear when a task is added.
        live_depends_on = ["tasks"]

    def get_task_count(self, obj: Project) -> int:
        """Number of tasks in the project (one query per project unless prefetched)."""
        return obj.tasks.count()


class CommentSerializer(serializers.ModelSerializer):
    """A comment; the author is always the user who wrote it, never client input."""

    task = VisibleTaskField(queryset=Task.objects.all())
    author = UserSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "task", "author", "body", "created_at"]
        read_only_fields = ["created_at"]

    def validate_task(self, value: Task) -> Task:
        """Comments stay on the task they were written on."""
        if self.instance is not None and value.pk != self.instance.task_id:
            raise serializers.ValidationError("A comment cannot be moved to another task.")
        return value


class TaskSerializer(serializers.ModelSerializer):
    """A task as the board shows it, with its assignee and comments inlined."""

    url = serializers.HyperlinkedIdentityField(view_name="task-detail")
    project = MemberProjectField(queryset=Project.objects.all())
    project_name = serializers.CharField(source="project.name", read_only=True)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True, required=False
    )
    assignee_detail = UserSerializer(source="assignee", read_only=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, allow_empty=True
    )
    comment_count = serializers.SerializerMethodField()
    comments = CommentSerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "url",
            "project",
            "project_name",
            "title",
            "description",
            "status",
            "priority",
            "assignee",
            "assignee_detail",
            "due_date",
            "estimate",
            "tags",
            "comment_count",
            "comments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"estimate": {"min_value": Decimal("0")}}

    def get_comment_count(self, obj: Task) -> int:
        """Number of comments; uses the prefetched ``comments`` when there are any."""
        return obj.comments.count()

    def validate_title(self, value: str) -> str:
        """Reject titles made only of punctuation, e.g. ``"!!!"`` or ``"---"``."""
        if not _HAS_WORD_CHARACTER.search(value):
            raise serializers.ValidationError("The title must contain a letter or a digit.")
        return value

    def validate_tags(self, value: list[str]) -> list[str]:
        """Normalise tags (trimmed, lower-case, no duplicates) and cap their number."""
        tags: list[str] = []
        for tag in value:
            normalised = tag.strip().lower()
            if normalised and normalised not in tags:
                tags.append(normalised)
        if len(tags) > MAX_TAGS:
            raise serializers.ValidationError(f"A task can have at most {MAX_TAGS} tags.")
        return tags

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Cross-field rules: a sensible due date and an assignee from the project."""
        errors: dict[str, str] = {}

        due_date = attrs.get("due_date")
        due_date_changed = "due_date" in attrs and (
            self.instance is None or due_date != self.instance.due_date
        )
        if due_date_changed and due_date is not None and due_date < timezone.localdate():
            errors["due_date"] = "The due date cannot be in the past."

        project = attrs.get("project", getattr(self.instance, "project", None))
        assignee = attrs.get("assignee", getattr(self.instance, "assignee", None))
        assignee_touched = "assignee" in attrs or "project" in attrs
        if (
            assignee_touched
            and assignee is not None
            and project is not None
            and not project.members.filter(pk=assignee.pk).exists()
        ):
            errors["assignee"] = "The assignee must be a member of the task's project."

        if errors:
            raise serializers.ValidationError(errors)
        return attrs
