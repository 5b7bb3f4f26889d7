"""The three DRF pagination styles, one per viewset, so each has a GraphQL shape.

Tasks use the project default (limit/offset), comments page numbers and projects a
cursor.
"""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class ProjectCursorPagination(CursorPagination):
    """Newest projects first; the cursor keeps pages stable while projects are added."""

    ordering = "-created_at"
    page_size = 20


class CommentPagination(PageNumberPagination):
    """``?page=&page_size=`` with a cap so a client cannot ask for everything."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
