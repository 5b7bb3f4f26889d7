"""The live board page (``/board/``) and its script, built from npm at set-up time.

The page itself is a Django template; its JavaScript is ``frontend/board.ts``, bundled
with the ``graphql-ws`` npm client by esbuild into ``frontend/dist/`` (``npm run
build:board``, which ``make demo``/``make test`` run; the directory is not committed).
:func:`board_asset` serves the built files by name from a whitelist, like GraphiQL's
assets, so the page works under any ASGI server without ``collectstatic``.
"""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from drf_graphql_live.settings import live_settings

DIST = Path(__file__).resolve().parent / "frontend" / "dist"

#: Files of the built bundle the page may load, with their content types.
ASSETS = {
    "board.js": "text/javascript; charset=utf-8",
    "board.js.map": "application/json",
}


@login_required(login_url="login")
def board(request: HttpRequest) -> HttpResponse:
    """The task list of the signed-in user, kept current over a WebSocket."""
    return render(
        request,
        "board.html",
        {"graphql_path": live_settings.path, "bundle_built": (DIST / "board.js").is_file()},
    )


def board_asset(request: HttpRequest, name: str) -> HttpResponse:
    """One whitelisted file of the built bundle (never a path taken from the client)."""
    if name not in ASSETS or not (DIST / name).is_file():
        raise Http404(name)
    # A plain response, not FileResponse: the files are small, and under ASGI Django
    # would warn about streaming a synchronous file iterator.
    response = HttpResponse((DIST / name).read_bytes(), content_type=ASSETS[name])
    response["Cache-Control"] = "no-cache"
    return response
