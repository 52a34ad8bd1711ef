"""The emulator's HTTP side: Bot API and JSON control endpoints, and webhook delivery."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import urllib.request
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .control import ControlSide
from .inline import InlineQueries
from .objects import BotApiError, FakeUser
from .state import DEFAULT_TOKEN

# Form-encoded parameters that are plain strings; every other value arrives JSON-encoded.
_STRING_PARAMS = {
    "text", "parse_mode", "callback_query_id", "action", "url", "secret_token", "caption",
    "inline_message_id", "language_code", "business_connection_id", "message_effect_id",
    "ip_address", "emoji",
}  # fmt: skip


class BotApiEmulator(ControlSide, InlineQueries):
    """A Bot API server for one bot, with a control side for tests. Use as a context manager."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "negobot_test_bot",
        bot_first_name: str = "Negobot",
    ) -> None:
        super().__init__(token, bot_username=bot_username, bot_first_name=bot_first_name)
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> BotApiEmulator:
        """Serve on a free port of 127.0.0.1 in background threads."""
        emulator = self

        class Handler(_RequestHandler):
            owner = emulator

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        serve = threading.Thread(target=self._server.serve_forever, name="botapi", daemon=True)
        deliver = threading.Thread(target=self._deliver_webhooks, name="botapi-hook", daemon=True)
        self._threads = [serve, deliver]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release waiting long polls."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> BotApiEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """The value for python-telegram-bot's `base_url` (and NEGOBOT_TELEGRAM_BASE_URL)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def bot_username(self) -> str:
        return self.bot_user["username"]

    def _deliver_webhooks(self) -> None:
        # Push updates one at a time, in order, to the webhook, as Telegram does.
        while True:
            with self._changed:
                while not self._closing and not (self._webhook and self._updates):
                    self._changed.wait()
                if self._closing:
                    return
                hook = dict(self._webhook)
                update = self._updates[0]
            request = urllib.request.Request(
                hook["url"], data=json.dumps(update).encode(), method="POST",
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            if hook.get("secret_token"):
                request.add_header("X-Telegram-Bot-Api-Secret-Token", hook["secret_token"])
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    delivered = 200 <= response.status < 300
            except OSError:
                delivered = False
            with self._changed:
                if delivered and self._updates and self._updates[0] is update:
                    self._updates.pop(0)
            if not delivered:
                time.sleep(0.2)


def _decode_form_value(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class _RequestHandler(BaseHTTPRequestHandler):
    owner: BotApiEmulator
    protocol_version = "HTTP/1.1"  # keep-alive, as python-telegram-bot's httpx pool expects

    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines contain the token; stay quiet

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _params(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        params: dict[str, Any] = {
            name: _decode_form_value(name, value)
            for name, value in parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
        }
        if not body:
            return params
        if content_type.startswith("application/json"):
            data = json.loads(body)
            if not isinstance(data, dict):
                raise BotApiError(400, "Bad Request: the JSON body must be an object")
            params.update(data)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            for name, value in parse_qsl(body.decode(), keep_blank_values=True):
                params[name] = _decode_form_value(name, value)
        elif content_type.startswith("multipart/form-data"):
            head = f"Content-Type: {content_type}\r\n\r\n".encode()
            form = BytesParser(policy=HTTP).parsebytes(head + body)
            for part in form.iter_parts():
                name = part.get_param("name", header="content-disposition")
                content = part.get_content()
                if name and isinstance(content, str):
                    params[name] = _decode_form_value(name, content)
        return params

    def _reply(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The client may have given up (e.g. a long poll cancelled at shutdown).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        try:
            params = self._params()
        except (ValueError, BotApiError) as error:
            description = getattr(error, "description", f"Bad Request: {error}")
            self._reply(400, {"ok": False, "error_code": 400, "description": description})
            return
        if path.startswith("/control/"):
            self._control(path.removeprefix("/control/"), params)
            return
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        if match is None:
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        if match[1] != self.owner.token:
            self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        try:
            result = self.owner.call(match[2], params)
        except BotApiError as error:
            reply = {"ok": False, "error_code": error.code, "description": error.description}
            if error.parameters:
                reply["parameters"] = error.parameters
            self._reply(error.code, reply)
            return
        self._reply(200, {"ok": True, "result": result})

    def _control(self, action: str, params: dict[str, Any]) -> None:
        """Serve the JSON control side, for tests that drive the emulator from another process."""
        owner = self.owner
        try:
            user = FakeUser(**params["user"]) if "user" in params else None
            if action == "send_text" and user:
                result: Any = owner.send_text(
                    user, params["text"], chat=params.get("chat"), reply_to=params.get("reply_to")
                )
            elif action == "send_media" and user:
                result = owner.send_media(
                    user, params.get("kind", "sticker"), chat=params.get("chat"),
                    reply_to=params.get("reply_to"), caption=params.get("caption"),
                )  # fmt: skip
            elif action == "press_button" and user:
                result = owner.press_button(user, params["message"], params["callback_data"])
            elif action == "events":
                result = [
                    {"seq": e.seq, "kind": e.kind, "chat_id": e.chat_id, "payload": e.payload}
                    for e in owner.events(
                        params.get("kind"), params.get("chat_id"), int(params.get("since", 0))
                    )
                ]
            elif action == "set_member_status":
                owner.set_member_status(
                    int(params["chat_id"]), int(params["user_id"]), params["status"]
                )
                result = True
            elif action == "block":
                owner.block(int(params["chat_id"]))
                result = True
            elif action == "bot_messages":
                result = owner.bot_messages(int(params["chat_id"]))
            else:
                self._reply(404, {"ok": False, "description": f"unknown control action {action!r}"})
                return
        except (KeyError, TypeError, ValueError) as error:
            self._reply(400, {"ok": False, "description": f"bad control request: {error}"})
            return
        self._reply(200, {"ok": True, "result": result})
