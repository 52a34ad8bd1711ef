"""The Telegram application in process, its Bot API calls answered by an emulator object."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.config import Settings
from bot.telegram.app import build_application
from bot.telegram.deps import DEPS_KEY, BotDeps
from tests.botapi_emulator import BotApiEmulator, Event, FakeUser
from tests.support.fake_service import FakeService

ADMIN = FakeUser(7, "Admin", "en")


class InProcessRequest(BaseRequest):
    """Send Bot API calls straight to an emulator object's method logic."""

    def __init__(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        from tests.botapi_emulator import BotApiError, _decode_form_value

        params = {
            name: _decode_form_value(name, value)
            for name, value in (request_data.json_parameters if request_data else {}).items()
        }
        try:
            result = self.emulator.call(url.rsplit("/", 1)[1], params)
        except BotApiError as error:
            body = {"ok": False, "error_code": error.code, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
            return error.code, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()


@dataclass
class BotUnderTest:
    app: Application
    emulator: BotApiEmulator
    service: FakeService
    settings: Settings

    async def feed(self) -> list[Event]:
        """Feed every pending update to the application; return what the bot did."""
        mark = self.emulator.mark()
        for data in self.emulator.drain_updates():
            await self.app.process_update(Update.de_json(data, self.app.bot))
        return self.emulator.events(since=mark)

    async def say(self, user: FakeUser, message: str, **kwargs: Any) -> list[Event]:
        self.emulator.send_text(user, message, **kwargs)
        return await self.feed()

    async def reply(self, user: FakeUser, message: str, **kwargs: Any) -> str:
        """Say something and return the one message the bot sent back."""
        replies = sent(await self.say(user, message, **kwargs))
        assert len(replies) == 1
        return replies[0].text

    @property
    def deps(self) -> BotDeps:
        """What the handlers use: settings, the answering service, the alert store."""
        return self.app.bot_data[DEPS_KEY]


def sent(events: list[Event]) -> list[Event]:
    return [event for event in events if event.kind == "message"]


async def make_bot(service: Any = None, **overrides: Any) -> BotUnderTest:
    emulator = BotApiEmulator()
    values: dict[str, Any] = {
        "telegram_token": emulator.token,
        "telegram_base_url": "http://unused.invalid/bot",
        "admin_user_ids": [ADMIN.id],
        "rate_limit_per_minute": 5,
        "max_question_chars": 200,
    }
    values.update(overrides)
    settings = Settings(_env_file=None, **values)
    service = service or FakeService(max_question_chars=settings.max_question_chars)
    app = build_application(settings, service, request=InProcessRequest(emulator))
    await app.initialize()
    return BotUnderTest(app, emulator, service, settings)
