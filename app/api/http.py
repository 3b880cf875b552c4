"""The ASGI application: every country's dialects (its `api` facet) mounted at `/<name>/`, with
the generic machinery around each call: body limit, JSON reading, keys, errors in the
dialect's own envelope (never a traceback), the OpenAPI description and the docs page."""
from __future__ import annotations

import asyncio
import contextvars
import functools
import hmac
import json
import logging
import os
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from app.api import keys, openapi
from app.api.context import ApiContext
from app.api.reader import Reader
from app.core.errors import FieldError, MostradorError, NotFoundError, ValidationError
from app.fiscal import registry
from app.fiscal.base import ApiRequest, ApiResponse
from app.pos.group_commit import GroupCommitter
from app.pos.session import Session

log = logging.getLogger("mostrador.api")

MAX_BODY = 5 * 1024 * 1024  # bytes; a lote of 50 documents is far below
TOUCH_EVERY = 60.0  # seconds between `last_used_at` writes of one key
WORKERS = 40  # requests handled at once (threads; as many as Starlette's default thread limiter)
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


async def _in_thread(fn, *args):
    """`fn(*args)` in a worker thread (the handlers block: SQLite, signing, the group commit),
    with the caller's context variables. The event loop's own executor, not Starlette's
    `run_in_threadpool`: anyio's hand-off costs the event loop ~0.1 ms more CPU per request
    (per-thread CPU of the server under bench/bench_api.py's 8 clients)."""
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="mostrador-api-worker")
    ctx = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(_pool, functools.partial(ctx.run, fn, *args))


class ApiState:
    """Shared by every request: the session (one SQLite connection, used under `lock`) and a
    log of the last calls (for Configuración › Integraciones)."""

    def __init__(self, session: Session):
        self.session = session
        self.lock = threading.RLock()
        self.calls: deque = deque(maxlen=100)
        self._touched: dict[str, float] = {}
        # concurrent requests' documents are numbered, signed and committed together (one fsync)
        # (MOSTRADOR_API_GROUP_COMMIT=0: one transaction per request, for bench/bench_api.py's comparison)
        self.committer = (GroupCommitter(session, self.lock)
                          if os.environ.get("MOSTRADOR_API_GROUP_COMMIT", "1") != "0" else None)
        self.reader = Reader(session, self.lock)  # keys and idempotency records: never behind a batch

    def close(self) -> None:
        """Commits what is queued and stops the group-commit writer (the server stopped)."""
        if self.committer is not None:
            self.committer.close()
        self.reader.close()

    def touch(self, key_hash: str) -> None:
        now = time.monotonic()
        if now - self._touched.get(key_hash, -TOUCH_EVERY) >= TOUCH_EVERY:
            self._touched[key_hash] = now
            with self.lock:
                keys.touch(self.session.conn, key_hash)

    # the two things another store (the central API, app/api/central.py) does its own way
    def authenticate(self, dialect, req: ApiRequest):
        """The caller's key (`keys.ApiKey`), or the dialect's 401 answer."""
        return _authenticate(self, dialect, req)

    def context(self, found, req: ApiRequest, raw: bytes, dialect):
        """What the route's handler gets as `ctx`."""
        return ApiContext(self.session, self.lock, key_hash=found.key_hash if found else "",
                          idempotency_key=req.headers.get("idempotency-key"), raw_body=raw, dialect=dialect.name,
                          committer=self.committer, reader=self.reader)


def country_dialects(code: str) -> dict:
    """{name: dialect} of the country's `api` facet; {} for a country that offers none."""
    import importlib.util

    country = registry.country(code)
    if importlib.util.find_spec(f"{country.package}.api") is None:
        return {}
    return dict(country.api().dialects)


def create_app(session: Session) -> Starlette:
    return build_app(ApiState(session), country_dialects(session.company.country))


def build_app(state, dialects: dict, *, service: str = "Mostrador API local") -> Starlette:
    """The app over `state` (an `ApiState`, or one with the same `authenticate`/`context`)."""
    routes = [Route("/openapi.json", lambda r: JSONResponse(openapi.describe(dialects)), methods=["GET"]),
              Route("/docs", lambda r: HTMLResponse(openapi.docs_page(dialects)), methods=["GET"]),
              Route("/", lambda r: JSONResponse({"servicio": service, "dialectos": sorted(dialects),
                                                 "documentacion": "/docs", "openapi": "/openapi.json"}),
                    methods=["GET"])]
    for name, dialect in dialects.items():
        for route in dialect.routes:
            routes.append(Route(f"/{name}{route.path}", _endpoint(state, dialect, route), methods=[route.method],
                                name=f"{name}:{route.method}:{route.path}"))
        routes.append(Route(f"/{name}/{{rest:path}}", _unknown(dialect), methods=["GET", "POST", "PUT", "DELETE", "PATCH"]))
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_allowed, 500: _server_error})
    app.state.api = state
    return app


def _send(resp: ApiResponse) -> Response:
    if resp.content is not None:
        return Response(resp.content, status_code=resp.status, media_type=resp.media_type)
    return Response(json.dumps(resp.body, ensure_ascii=False, default=str).encode("utf-8"),
                    status_code=resp.status, media_type="application/json; charset=utf-8")


async def _read_body(request: Request) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY (read no further)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _endpoint(state: ApiState, dialect, route):
    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        raw = await _read_body(request)
        resp = await _in_thread(_handle, state, dialect, route, request, raw)
        state.calls.append({"at": time.time(), "method": request.method, "path": request.url.path,
                            "status": resp.status, "ms": round((time.perf_counter() - started) * 1000, 1)})
        return _send(resp)

    return endpoint


def _handle(state: ApiState, dialect, route, request: Request, raw: bytes | None) -> ApiResponse:
    if raw is None:
        return dialect.error(413, f"El cuerpo supera el máximo de {MAX_BODY // (1024 * 1024)} MB", [
            FieldError("body", "demasiado grande", "too_large")])
    body = None
    if raw.strip():
        try:
            body = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return dialect.error(400, "El cuerpo no está codificado en UTF-8", [FieldError("body", "no es UTF-8", "encoding")])
        except json.JSONDecodeError as exc:
            msg = f"JSON mal formado en la línea {exc.lineno}, columna {exc.colno}: {exc.msg}"
            return dialect.error(400, msg, [FieldError("body", msg, "json")])
        except RecursionError:
            msg = "El JSON tiene demasiados niveles de anidamiento"
            return dialect.error(400, msg, [FieldError("body", msg, "json")])
        except ValueError:  # an integer of more than 4 300 digits
            msg = "El JSON contiene un número demasiado largo"
            return dialect.error(400, msg, [FieldError("body", msg, "json")])
    req = ApiRequest(request.method, dict(request.path_params), dict(request.query_params),
                     {k.lower(): v for k, v in request.headers.items()}, body)
    try:
        found = None if route.public else state.authenticate(dialect, req)
        if isinstance(found, ApiResponse):
            return found
        ctx = state.context(found, req, raw, dialect)
        return route.handler(ctx, req)
    except ValidationError as exc:
        return dialect.error(400, str(exc), exc.errors)
    except NotFoundError as exc:
        return dialect.error(404, str(exc), [])
    except MostradorError as exc:
        return dialect.error(422, str(exc), [])
    except Exception:  # a bug of ours: logged with its traceback here, never sent
        log.exception("Error interno atendiendo %s %s", request.method, request.url.path)
        return dialect.error(500, "Error interno del servidor; el detalle quedó en el registro de Mostrador", [])


def key_scope_error(dialect, found, req: ApiRequest):
    """The dialect's 401 when a known key may not serve this request (another dialect, another
    tenant in the path), else None. Shared by the register's and the central API."""
    if found.dialect not in (None, dialect.name):
        return dialect.error(401, f"Esta clave de API es solo para el dialecto {found.dialect}",
                             [FieldError("authorization", "dialecto no permitido", "unauthorized")])
    tenant = req.params.get("tenant")
    if tenant is not None and not hmac.compare_digest(tenant, found.tenant):
        return dialect.error(401, "El tenant de la ruta no corresponde a la clave de API",
                             [FieldError("tenant", "no corresponde a la clave", "unauthorized")])
    return None


def _authenticate(state: ApiState, dialect, req: ApiRequest):
    key, password = dialect.credentials(req)
    found = state.reader.run(keys.lookup, key)
    company = state.session.company
    if found is None or found.company_ruc != company.ruc:
        return dialect.error(401, "Clave de API inválida o ausente", [FieldError("authorization", "clave inválida", "unauthorized")])
    refused = key_scope_error(dialect, found, req)
    if refused is not None:
        return refused
    if getattr(dialect, "checks_password", False) and not (company.extra or {}).get("demo"):
        from app.fiscal import signing
        from app.pos.certificates import p12_account

        expected = signing.load_secret(p12_account(company.ruc)) or ""
        if not password or not hmac.compare_digest(password.encode("utf-8"), expected.encode("utf-8")):
            return dialect.error(401, "Contraseña del certificado de firma incorrecta",
                                 [FieldError("x-password", "incorrecta", "unauthorized")])
    state.touch(found.key_hash)
    return found


def _unknown(dialect):
    async def endpoint(request: Request) -> Response:
        return _send(dialect.error(404, f"No existe la ruta {request.method} {request.url.path}",
                                   [FieldError("path", "ruta desconocida", "not_found")]))

    return endpoint


async def _not_found(request: Request, exc) -> Response:
    return JSONResponse({"error": f"No existe la ruta {request.url.path}", "dialectos": "/docs"}, status_code=404)


async def _not_allowed(request: Request, exc) -> Response:
    return JSONResponse({"error": f"Método {request.method} no permitido en {request.url.path}"}, status_code=405)


async def _server_error(request: Request, exc) -> Response:
    return JSONResponse({"error": "Error interno del servidor"}, status_code=500)
