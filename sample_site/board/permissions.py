"""Object-level permissions of the board.

``get_queryset`` already hides other teams' rows (a 404), so these classes only decide
what a *member* may do with a row they can see (a 403).
"""

from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from .models import Comment, Task


class IsProjectMemberOrReadOnly(permissions.BasePermission):
    """Members of a task's project may edit it; deleting an assigned task is the
    assignee's call.

    Anyone on the project may delete an unassigned task, but once somebody has taken a
    task only they may remove it — a teammate can still reassign or update it.
    """

    message = "Only the assignee may delete an assigned task."

    def has_object_permission(self, request: Request, view: APIView, obj: Task) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if not obj.project.members.filter(pk=request.user.pk).exists():
            self.message = "Only members of the project may change its tasks."
            return False
        if request.method == "DELETE" and obj.assignee_id is not None:
            self.message = "Only the assignee may delete an assigned task."
            return obj.assignee_id == request.user.pk
        return True


class IsAuthorOrReadOnly(permissions.BasePermission):
    """Only a comment's author may edit or delete it."""

    message = "Only the author may change this comment."

    def has_object_permission(self, request: Request, view: APIView, obj: Comment) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return obj.author_id == request.user.pk
