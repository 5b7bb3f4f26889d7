"""App configuration for the board app."""

from django.apps import AppConfig


class BoardConfig(AppConfig):
    """Label "board" keeps table names short (``board_task``) and stable."""

    name = "sample_site.board"
    label = "board"
    verbose_name = "Team board"
    default_auto_field = "django.db.models.BigAutoField"
