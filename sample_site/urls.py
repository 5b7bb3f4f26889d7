"""URLconf of the demo project.

The REST API lives under ``/api/``, the live board page under ``/board/`` (sign in at
``/accounts/login/``). ``/graphql/`` serves the schema generated from the same
``router``: under uvicorn/daphne the ASGI application in ``sample_site.asgi`` answers
it (HTTP and WebSocket) before this URLconf; under ``runserver`` or WSGI the
``drf_graphql_live.urls`` entry below answers queries, mutations and GraphiQL.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView
from rest_framework.routers import DefaultRouter

from sample_site.board.pages import board, board_asset
from sample_site.board.views import CommentViewSet, ProjectViewSet, TaskViewSet, UserViewSet

router = DefaultRouter()
router.register("projects", ProjectViewSet)
router.register("tasks", TaskViewSet)
router.register("comments", CommentViewSet)
router.register("users", UserViewSet)

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("board/", board, name="board"),
    path("board/assets/<str:name>", board_asset, name="board-asset"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api-auth/", include("rest_framework.urls")),
    path("graphql/", include("drf_graphql_live.urls")),
]

# Builds the GraphQL schema from ``router`` when the URLconf is imported, so
# ``export_schema`` and the ASGI app see the same schema as the REST API.
from sample_site import schema as _schema  # noqa: E402, F401
