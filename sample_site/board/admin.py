"""Admin for the board: handy to edit rows and watch subscriptions react live."""

from django.contrib import admin

from .models import Comment, Project, Task


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["title", "status", "priority", "assignee", "due_date"]
    extra = 0
    show_change_link = True


class CommentInline(admin.TabularInline):
    model = Comment
    fields = ["author", "body"]
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    inlines = [TaskInline]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "status", "priority", "assignee", "due_date"]
    list_filter = ["status", "priority", "project"]
    search_fields = ["title"]
    list_select_related = ["project", "assignee"]
    inlines = [CommentInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "task", "author", "created_at"]
    list_select_related = ["task", "author"]
    search_fields = ["body"]
