"""The FastAPI application: the API under `/api`, the built site at `/`.

`create_app()` reads :mod:`praxis.settings`; tests pass their own settings. The embedder
is loaded once at start-up; the index is loaded on first use and reloaded whenever
`praxis index` swaps in a new build.
"""

import asyncio
import logging
import math
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from engine.admission import Admission, Busy, GatedEmbedder
from engine.loaded import IndexHolder
from indexer.embedders import Embedder, load_embedder
from indexer.language import detect
from indexer.stores import StoreUnavailableError
from praxis import __version__
from praxis.settings import Settings, get_settings
from search_api.body_size import MAX_BODY_BYTES
from search_api.models import errors
from search_api.routers import curricula, export, meta, practices, projects, search, submissions

log = logging.getLogger(__name__)
DOCS_ASSETS = "/api/docs-assets"
"""Swagger UI's scripts and styles, served from the swagger-ui-bundle package: the docs work offline."""


class BodyLimit:
    """Refuse request bodies over a size with 413, counting bytes as they arrive
    (a Content-Length header can be missing, as in a chunked upload, or lie).

    Past the limit the 413 is sent at once, the app is told the client has gone, and
    whatever the app answers then is dropped.
    """

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(scope, receive, send)
        received, refused = 0, False

        async def counted():
            nonlocal received, refused
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit and not refused:
                refused = True
                await self._refuse(scope, receive, send)
                return {"type": "http.disconnect"}
            return message

        async def unless_refused(message):
            if not refused:
                await send(message)

        await self.app(scope, counted, unless_refused)

    async def _refuse(self, scope, receive, send):
        detail = f"request body over {self.limit} bytes, more than any valid request needs: shorten it"
        response = JSONResponse({"detail": detail}, status_code=413)
        await response(scope, receive, send)


class Deadline:
    """Answer an API request with 503 and `Retry-After` when its response has not started
    within `seconds`: no client waits without bound, whatever it waits for (an encoding slot,
    a worker thread, a slow disk). A response that has started (a streamed export) runs on.
    The work of a timed-out request still ends in its worker thread; its answer is dropped.
    """

    def __init__(self, app, seconds: float):
        self.app, self.seconds = app, seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            return await self.app(scope, receive, send)
        started = asyncio.Event()

        async def noting_start(message):
            if message["type"] == "http.response.start":
                started.set()
            await send(message)

        handler = asyncio.ensure_future(self.app(scope, receive, noting_start))
        waiter = asyncio.ensure_future(started.wait())
        await asyncio.wait({handler, waiter}, timeout=self.seconds, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if started.is_set() or handler.done():
            return await handler
        handler.cancel()
        log.warning("%s took over %s s: answered 503", scope["path"], self.seconds)
        detail = f"no answer within {self.seconds} s: the service is busy, try again"
        headers = {"Retry-After": str(max(1, math.ceil(self.seconds)))}
        await JSONResponse({"detail": detail}, status_code=503, headers=headers)(scope, receive, send)


class HeadAsGet:
    """Answer HEAD as the GET of the same URL, without the body (same status and headers, RFC 9110).

    FastAPI's routes take only the methods they declare, so HEAD got 405; answering it here, in
    front of the routes, keeps HEAD operations out of the OpenAPI schema. A URL with no GET still
    answers 405.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def without_body(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Praxis search API",
        version=__version__,
        description="Describe a social-inclusion problem in any language; get practices written in any language, "
        "with the passage that matched and why.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title=f"{app.title}: interactive docs",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )

    detect("Praxis loads its language profiles at start-up, not on the first request.")
    app.state.settings = settings
    gated = GatedEmbedder(
        embedder or load_embedder(settings.embedder, settings.embedding_device, settings.embedding_batch_size),
        settings.max_concurrent_encodings,
        wait_seconds=settings.request_timeout_seconds,
    )
    app.state.admission = Admission(settings.max_concurrent_encodings + settings.max_queued_searches)
    app.state.holder = IndexHolder(Path(settings.index_dir), gated, settings.centre_languages)
    routers = (search, practices, projects, export, meta, submissions, curricula)
    for router in (module.router for module in routers):
        # Any API request can answer 503: the deadline holds for all of them.
        app.include_router(router, prefix="/api", responses=errors(503))

    @app.exception_handler(Busy)
    async def busy(request: Request, error: Busy):
        headers = {"Retry-After": str(error.retry_after)}
        return JSONResponse({"detail": str(error)}, status_code=503, headers=headers)

    @app.exception_handler(StoreUnavailableError)
    async def store_unavailable(request: Request, error: StoreUnavailableError):
        # The search cluster did not answer within its bounded retries: say so, and when to try again.
        log.error("search store unavailable on %s: %s", request.url.path, error)
        return JSONResponse(
            {"detail": "the search cluster is unavailable"}, status_code=503, headers={"Retry-After": "2"}
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        # FastAPI's own handler echoes each error's input, and failed with a 500 on an input JSON
        # cannot carry (a lone surrogate, an out-of-range number such as 1e400).
        return JSONResponse({"detail": _json_safe(jsonable_encoder(error.errors()))}, status_code=422)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse({"detail": "internal error; the server log has the details"}, status_code=500)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization"],
        )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(Deadline, seconds=settings.request_timeout_seconds)
    app.add_middleware(HeadAsGet)
    site = Path(settings.site_dir)
    if site.is_dir():
        app.mount("/", StaticFiles(directory=site, html=True), name="site")
    else:
        log.warning("no site at %s: run `mkdocs build`; / says so meanwhile", site)

        @app.get("/", include_in_schema=False)
        def no_site():
            return PlainTextResponse("The site is not built: run `mkdocs build`. API: /api/docs")

    return app


def _json_safe(value):
    """`value` (JSON-like) with what JSON cannot carry made text: non-finite numbers, and strings
    with lone surrogates (each such character becomes "?")."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    return value
