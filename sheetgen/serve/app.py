"""The preview's web application (Starlette): pages, downloads, the live channel.

Routes: ``/`` the index, ``/p/<spec>`` a project, ``/u/<unit>`` a unit's
汇总, ``/d/<file>`` a download from the output folder, ``/events`` the live
channel.  Every request is read-only: nothing here writes a file (builds go
through :class:`~sheetgen.serve.builds.Builds`).  Pages, projects and files
are looked up by name in the current snapshot, never joined onto a folder,
so no path outside the specs and the output folder can be reached.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from msgspec import Struct
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sheetgen.serve import pages
from sheetgen.serve.builds import Builds
from sheetgen.serve.downloads import Download, Downloads
from sheetgen.serve.live import Live
from sheetgen.serve.site import Preview, Snapshot

BUILD_WAIT = 60.0  # seconds a download waits for the build of the newest change
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
#: pages run no script but /live.js and are framed by no other page, whatever a spec holds
PAGE_POLICY = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
               "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SCRIPT = Path(__file__).parent / "templates" / "live.js"


class State(Struct):
    """What the application serves from."""

    preview: Preview
    builds: Builds
    live: Live
    output: Path
    pdf: bool
    say: Callable[[str], None] = print
    _downloads: tuple[int, Downloads] | None = None

    def view(self) -> pages.View:
        snapshot = self.preview.snapshot
        if self._downloads is None or self._downloads[0] != snapshot.version:
            self._downloads = (snapshot.version, Downloads(snapshot, self.output, self.pdf))
        return pages.View(snapshot, self._downloads[1], self.pdf)


class LocalOnly:
    """Refuses requests whose Host is not this computer (a web page elsewhere reaching
    the preview through a renamed address); used when serving on localhost."""

    HOSTS = ("127.0.0.1", "localhost", "[::1]")

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            name = host.split("]")[0] + "]" if host.startswith("[") else host.split(":")[0]
            if name.lower() not in self.HOSTS:
                await PlainTextResponse("sheetgen serve 只接受本机的访问（localhost）", 400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status, headers={**NO_STORE, "Content-Security-Policy": PAGE_POLICY})


def make_app(state: State, *, local_only: bool = True) -> ASGIApp:
    """Return the ASGI application serving ``state``."""

    def part(request: Request) -> bool:
        return request.query_params.get("part") == "main"

    def missing(view: pages.View, what: str, request: Request | None = None) -> HTMLResponse:
        return _html(pages.message_page(view, "找不到", what, part=request is not None and part(request)), 404)

    async def index(request: Request) -> Response:
        return _html(pages.index_page(state.view(), part=part(request)))

    async def project(request: Request) -> Response:
        view = state.view()
        page = view.snapshot.projects.get(request.path_params["key"])
        if page is None:
            return missing(view, "没有这个项目说明（可能已改名或删除）。", request)
        return _html(pages.project_page(view, page, part=part(request)))

    async def unit(request: Request) -> Response:
        view = state.view()
        found = view.snapshot.by_unit.get(request.path_params["key"])
        if found is None:
            return missing(view, "没有这个单位文件夹（可能已改名或删除）。", request)
        html = await run_in_threadpool(pages.unit_page, view, found, part=part(request))
        return _html(html)

    async def download(request: Request) -> Response:
        view = state.view()
        item = view.downloads.entries.get(request.path_params["key"])
        if item is None:
            return missing(view, "没有这个文件。")
        if item.blocked:
            return _html(pages.message_page(view, "现在不能下载", item.blocked), 409)
        return await _send(state, view.snapshot, item)

    script = SCRIPT.read_text(encoding="utf-8")

    async def live_js(request: Request) -> Response:
        return Response(script, media_type="text/javascript", headers=NO_STORE)

    async def events(request: Request) -> Response:
        return StreamingResponse(state.live.stream(), media_type="text/event-stream",
                                 headers={**NO_STORE, "X-Accel-Buffering": "no"})

    async def not_found(request: Request, exc: Exception) -> Response:
        return missing(state.view(), "没有这个页面。")

    async def failed(request: Request, exc: Exception) -> Response:
        state.say(f"预览出错（{type(exc).__name__}）：{exc}")
        return PlainTextResponse(f"sheetgen serve 出错了：{exc}", 500)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.live.attach()
        yield

    routes = [
        Route("/", index),
        Route("/p/{key:path}", project),
        Route("/u/{key:path}", unit),
        Route("/d/{key:path}", download),
        Route("/events", events),
        Route("/live.js", live_js),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found, 405: not_found,
                                                                          Exception: failed})
    return LocalOnly(app) if local_only else app


async def _send(state: State, snapshot: Snapshot, item: Download) -> Response:
    """Return the file of ``item`` once a build covering ``snapshot`` has made it, or say why not."""
    ready = await run_in_threadpool(state.builds.wait, snapshot.version, timeout=BUILD_WAIT)
    view = state.view()
    if not ready:
        return _html(pages.message_page(view, "正在生成", "文件还在生成中，请过一会儿再点一次下载。"), 503)
    specs = [page.spec for page in item.unit.projects] if item.project is None else [item.project.spec]
    unit = item.unit.folder if item.project is None else None
    problems: list[str] = []

    def read() -> bytes | None:
        if item.source is None:
            return item.path.read_bytes() if state.builds.current(item.path, specs, unit) else None
        if not state.builds.current(item.source, specs, unit):
            return None
        problems.extend(state.builds.pdf(item.source))
        good = not problems and state.builds.current_pdf(item.path, item.source, specs, unit)
        return item.path.read_bytes() if good else None

    data = await run_in_threadpool(read)
    if data is None:
        last = state.builds.last
        why = "；".join(problems) or (last.failure if last is not None and last.failure else _failures(last))
        return _html(pages.message_page(view, "文件不是最新的", "生成没有成功，或项目说明刚又改过，"
                                        f"没有最新的文件可以下载。{why}"), 409)
    name = quote(item.path.name)
    return Response(data, media_type=item.media_type, headers={
        **NO_STORE, "Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


def _failures(last: Any) -> str:
    if last is None or last.summary is None or not last.summary.failures:
        return ""
    return "生成时的问题：" + "；".join(last.summary.failures[:3])
