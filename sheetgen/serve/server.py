"""``sheetgen serve``: the preview server -- the watcher, the builds and the web application together.

:func:`serve` binds the address first (so a port in use is a clear message,
not a traceback), starts the change watcher (:mod:`sheetgen.authoring.watch`,
the same one ``build --watch`` uses), reads the specs once it is watching,
keeps the output folder current through :class:`~sheetgen.serve.builds.Builds`
and serves until Ctrl-C.  What it has to say goes to ``say``: the command
line decides how to print it.  uvicorn serves HTTP; its own logging is off
(its messages are English).
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from msgspec import Struct

from sheetgen.errors import SheetgenError

DEFAULT_PORT = 8000
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


class ServeError(SheetgenError):
    """The preview cannot start (port in use, address not available, bad folders)."""


class ServeOptions(Struct, frozen=True):
    """What to preview, where the downloads are built, and where to listen."""

    root: Path = Path("specs")
    output: Path = Path("output")
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    open_browser: bool = False

    @property
    def url(self) -> str:
        host = "localhost" if self.host in ("127.0.0.1", "localhost", "0.0.0.0", "::", "") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    @property
    def local(self) -> bool:
        return self.host in LOCAL_HOSTS


def bind(host: str, port: int) -> socket.socket:
    """Return a listening socket on ``host``:``port``, or raise :class:`ServeError` saying why not."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError):
        raise ServeError(f"无法使用地址 {host}：找不到这台计算机；"
                         "--host 应写 127.0.0.1、0.0.0.0 或本机的 IP 地址") from None
    sock = socket.socket(family, kind, proto)
    try:
        if sys.platform != "win32":  # elsewhere this would let two servers share the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        import errno

        if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
            raise ServeError(f"端口 {port} 已被占用（也许另一个 sheetgen serve 正在运行）；"
                             f"用 --port 换一个，例如 --port {port + 1}") from None
        if exc.errno in (errno.EADDRNOTAVAIL, getattr(errno, "WSAEADDRNOTAVAIL", -1)):
            raise ServeError(f"这台计算机没有地址 {host}；--host 应写 127.0.0.1、0.0.0.0 或本机的 IP 地址") from None
        if exc.errno in (errno.EACCES, getattr(errno, "WSAEACCES", -1)):
            raise ServeError(f"没有权限使用端口 {port}；请用 1024 以上的端口，例如 --port {DEFAULT_PORT}") from None
        from sheetgen.os_errors import explain

        raise ServeError(f"无法在 {host}:{port} 上启动预览：{explain(exc)}") from None
    sock.setblocking(False)
    return sock


def _stamp() -> str:
    return time.strftime("%H:%M:%S")


def serve(options: ServeOptions, say: Callable[[str], None], *, ready: Callable[[], None] | None = None) -> None:
    """Serve the preview of ``options.root`` until Ctrl-C (or a SIGTERM); ``ready`` is called once it answers."""
    import uvicorn

    from sheetgen.authoring.watch import changes
    from sheetgen.build.pdf import soffice
    from sheetgen.build.runner import BuildOptions
    from sheetgen.serve.app import State, make_app
    from sheetgen.serve.builds import Builds, Done
    from sheetgen.serve.live import Live
    from sheetgen.serve.site import Preview

    root, output = options.root, options.output
    if not root.is_dir():
        raise ServeError(f"找不到项目说明文件夹 {root}")
    if output.resolve().is_relative_to(root.resolve()):
        raise ServeError(f"输出文件夹 {output} 在项目说明文件夹 {root} 里面；sheetgen serve 不往项目说明里写文件，"
                         "请用 -o 另选一个文件夹")
    sock = bind(options.host, options.port)

    def built(done: Done) -> None:
        if done.summary is None:
            say(f"{_stamp()} 生成失败：{done.failure}")
        elif done.summary.built or done.summary.failed:
            s = done.summary
            say(f"{_stamp()} 已更新 {output}/：生成 {s.built} 个，未变 {s.unchanged} 个，失败 {s.failed} 个"
                f"（{done.seconds:.1f} 秒）")

    preview = Preview(root)
    live = Live()
    builds = Builds(BuildOptions(paths=(root,), output=output, jobs=1), built)
    state = State(preview, builds, live, output, soffice() is not None, say)
    stop = threading.Event()
    watching = threading.Event()
    problems: list[BaseException] = []

    def refresh(changed: list[Path]) -> None:
        try:
            snapshot = preview.refresh(changed or None)
        except Exception as exc:  # say so, and keep watching: the next save may fix it
            say(f"{_stamp()} 预览没能更新（{type(exc).__name__}：{exc}）；下次保存时再试")
            return
        builds.want(snapshot.version)
        live.publish(snapshot.version)
        if changed:
            shown = "、".join(p.name for p in changed[:3]) + ("等" if len(changed) > 3 else "")
            errors = sum(p.status.errors for p in snapshot.projects.values())
            say(f"{_stamp()} 已刷新预览（改动了 {shown}）" + (f"：共 {errors} 个错误" if errors else ""))

    def watch() -> None:
        try:
            for changed in changes([root], output, stop=stop):
                refresh(changed)
                watching.set()  # the first batch (empty) comes once the watcher runs
        except Exception as exc:  # the preview must say so rather than go quietly stale
            problems.append(exc)
            say(f"{_stamp()} 监视文件出错，预览不再自动更新（{type(exc).__name__}：{exc}）；请重新启动 sheetgen serve")
        finally:
            watching.set()

    watcher = threading.Thread(target=watch, name="sheetgen-watch", daemon=True)
    watcher.start()
    watching.wait()
    if problems:
        sock.close()
        builds.close()
        raise ServeError(f"无法监视 {root}：{problems[0]}")

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            live.stop()  # end the pages' event streams, or shutting down would wait for them
            super().handle_exit(sig, frame)

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if ready is not None:
                ready()

    config = uvicorn.Config(make_app(state, local_only=options.local), log_config=None, log_level="critical",
                            access_log=False, lifespan="on", timeout_graceful_shutdown=2, ws="none")
    server = Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        stop.set()
        live.stop()
        watcher.join(5)
        builds.close()
        sock.close()
