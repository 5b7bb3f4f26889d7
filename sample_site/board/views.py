"""REST viewsets of the board — also the source of the generated GraphQL API.

Visibility is decided in ``get_queryset`` (a user sees the projects they belong to and
what hangs off them), edit rights in the object permissions. The querysets do no
``select_related``/``prefetch_related`` on purpose: the GraphQL layer must add its own
from the selection set.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from rest_framework import filters, permissions, viewsets
from rest_framework.serializers import BaseSerializer

from .filters import CommentFilter, TaskFilter
from .models import Comment, Project, Task
from .pagination import CommentPagination, ProjectCursorPagination
from .permissions import IsAuthorOrReadOnly, IsProjectMemberOrReadOnly
from .serializers import CommentSerializer, ProjectSerializer, TaskSerializer, UserSerializer

User = get_user_model()


class ProjectViewSet(viewsets.ModelViewSet):
    """Projects the user is a member of; the creator becomes a member."""

    # Class-level queryset: gives the router its basename and tools the model;
    # get_queryset() narrows it per user.
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    pagination_class = ProjectCursorPagination
    # No OrderingFilter: the cursor paginator owns the order.
    filter_backends = [filters.SearchFilter]
    search_fields = ["name"]

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.filter(members=self.request.user).distinct()

    def perform_create(self, serializer: BaseSerializer) -> None:
        project = serializer.save()
        project.members.add(self.request.user)


class TaskViewSet(viewsets.ModelViewSet):
    """Tasks of the user's projects: filterable, searchable by title, orderable."""

    queryset = Task.objects.all()
    serializer_class = TaskSerializer
    permission_classes = [permissions.IsAuthenticated, IsProjectMemberOrReadOnly]
    filterset_class = TaskFilter
    search_fields = ["title"]
    ordering_fields = ["id", "title", "priority", "updated_at", "due_date"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[Task]:
        return Task.objects.filter(project__members=self.request.user).distinct()


class CommentViewSet(viewsets.ModelViewSet):
    """Comments on tasks the user can see; only the author may edit or delete one."""

    queryset = Comment.objects.all()
    serializer_class = CommentSerializer
    permission_classes = [permissions.IsAuthenticated, IsAuthorOrReadOnly]
    pagination_class = CommentPagination
    filterset_class = CommentFilter
    search_fields = ["body"]
    ordering_fields = ["id", "created_at"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[Comment]:
        return Comment.objects.filter(task__project__members=self.request.user).distinct()

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.save(author=self.request.user)


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """The user and their teammates (anyone sharing a project), as a plain list."""

    queryset = User.objects.all()
    serializer_class = UserSerializer
    pagination_class = None
    search_fields = ["username"]
    ordering_fields = ["id", "username"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet:
        user = self.request.user
        teammates = Q(projects__in=Project.objects.filter(members=user)) | Q(pk=user.pk)
        return User.objects.filter(teammates).distinct().order_by("id")
