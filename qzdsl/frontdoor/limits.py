"""What the server refuses before any work: bodies over the size limit and, when a token
is set, requests without it. A plain ASGI middleware, so that an oversized body is never
read whole into memory and a refused request costs nothing."""

from __future__ import annotations

import hmac
import json

# Paths answered without the token: a load balancer's health check carries no secret.
OPEN_PATHS = frozenset({"/v1/health"})


class Limits:
    """`app` behind the limits. `direct` maps a (method, path) to an ASGI handler that
    answers it instead of `app` (still behind the limits): the server's hot path."""

    def __init__(self, app, max_body: int, token: str | None, direct: dict | None = None):
        self.app, self.max_body, self.token = app, max_body, token
        self.direct = direct or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or ())
        if self.token is not None and scope["path"] not in OPEN_PATHS and not self._authorised(headers):
            return await _refuse(send, 401, "unauthorized", "a bearer token is required (Authorization: Bearer …)",
                                 ((b"www-authenticate", b'Bearer realm="qzdsl"'),))
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return await _refuse(send, 413, "too_large", f"the request body is limited to {self.max_body} bytes")
        received = 0

        async def limited():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _TooLarge()
            return message

        handler = self.direct.get((scope["method"], scope["path"]), self.app) if self.direct else self.app
        try:
            return await handler(scope, limited, send)
        except _TooLarge:
            return await _refuse(send, 413, "too_large", f"the request body is limited to {self.max_body} bytes")

    def _authorised(self, headers: dict) -> bool:
        given = headers.get(b"authorization", b"")
        scheme, _, credential = given.partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(credential.strip(), self.token.encode("utf-8"))


class _TooLarge(Exception):
    pass


async def _refuse(send, status: int, error: str, message: str, extra: tuple = ()) -> None:
    body = json.dumps({"error": error, "message": message}).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": body})
