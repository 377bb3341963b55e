"""``kotobotti telegram``: Telegram ↔ the Rasa server's REST channel (contract §5).

python-telegram-bot receives updates (long polling, or a webhook when
``KOTOBOTTI_TELEGRAM_WEBHOOK_URL`` is set, with a ``secret_token`` Telegram sends on
every request and the library checks); every text, button tap and command goes to Rasa
as one REST message from the chat's pseudonym (``bot.pseudonym``), with Telegram's
``language_code`` as the language hint, and the replies come back as HTML messages with
inline keyboards (``telegram_format``).

- One chat's updates are handled one after another, different chats at the same time
  (``ChatOrder``); outgoing traffic goes through the library's ``AIORateLimiter``, which
  waits out Telegram's 429 ``retry_after``; 5xx and network errors are retried with
  backoff (``deliver``). Rasa down: the person is told to try again shortly in their
  language and the log gets an alert. Every update gets an answer.
- Stickers, photos, voice, files, locations, edited messages and group chats get a
  polite answer; logs never carry a chat id, a name or a message text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import sys
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels import telegram_format as fmt
from bot.channels import texts
from bot.channels.inbound import forget_message
from bot.channels.rasa_client import RasaClient, RasaRefused, RasaUnavailable
from bot.i18n import languages, normalise_language, translator
from bot.pseudonym import pseudonym

log = logging.getLogger("kotobotti.telegram")
T = TypeVar("T")

TOKEN_VARIABLE = "TELEGRAM_BOT_TOKEN"
RASA_VARIABLE = "KOTOBOTTI_RASA_URL"
API_VARIABLE = "KOTOBOTTI_TELEGRAM_API_URL"
WEBHOOK_VARIABLE = "KOTOBOTTI_TELEGRAM_WEBHOOK_URL"
LISTEN_VARIABLE = "KOTOBOTTI_TELEGRAM_LISTEN"
NO_TOKEN = f"""kotobotti: error: {TOKEN_VARIABLE} is not set.
Get a token from @BotFather in Telegram: open https://t.me/BotFather, send /newbot,
choose a name and a username ending in "bot", and BotFather answers with the token.
Then run:  {TOKEN_VARIABLE}=123456:ABC... kotobotti telegram"""
CHANNEL = "telegram"
TYPING_EVERY = 4.0  # Telegram shows "typing" for 5 s
MAX_REMEMBERED = 10_000  # chats whose language and long button payloads are kept in memory


class MissingToken(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    """Contract §5: the bridge is configured by the environment only."""

    token: str
    rasa_url: str = "http://localhost:5005"
    api_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    listen: str = "127.0.0.1:8443"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        token = (env.get(TOKEN_VARIABLE) or "").strip()
        if not token:
            raise MissingToken(NO_TOKEN)
        return cls(
            token=token,
            rasa_url=env.get(RASA_VARIABLE) or cls.rasa_url,
            api_url=env.get(API_VARIABLE) or cls.api_url,
            webhook_url=env.get(WEBHOOK_VARIABLE) or None,
            listen=env.get(LISTEN_VARIABLE) or cls.listen,
        )


class ChatOrder(BaseUpdateProcessor):
    """Updates of one chat in the order they came, different chats concurrently.

    Updates start in arrival order and ``asyncio.Lock`` wakes waiters first come, first
    served, so a chat's second message waits for the answer to its first.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._locks.get(chat.id, (asyncio.Lock(), 0))
        self._locks[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[chat.id]
            if users <= 1:
                del self._locks[chat.id]
            else:
                self._locks[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


class _Memory(OrderedDict[str, str]):
    """A bounded map (oldest forgotten first): chat pseudonym → language, key → payload."""

    def remember(self, key: str, value: str) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > MAX_REMEMBERED:
            self.popitem(last=False)


def configure_logging() -> None:
    """INFO for the bridge; the libraries only from WARNING on (httpx logs every URL, and
    the Bot API's URLs hold the token; the library's debug output holds updates)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("httpx", "httpcore", "telegram", "apscheduler", "tornado"):
        logging.getLogger(name).setLevel(logging.WARNING)


class Bridge:
    """The Telegram application and what it does with each kind of update."""

    def __init__(
        self,
        settings: Settings,
        *,
        rasa_backoff: Sequence[float] = (0.5, 1.0, 2.0, 4.0),
        send_backoff: Sequence[float] = (1.0, 2.0, 4.0, 8.0),
    ) -> None:
        self.settings = settings
        self.rasa = RasaClient(settings.rasa_url, backoff=rasa_backoff)
        self.send_backoff = tuple(send_backoff)
        self._languages = _Memory()
        self._payloads = _Memory()
        self._secret = secrets.token_urlsafe(32)
        self.app = self._build()

    # -- wiring --------------------------------------------------------------------------
    def _build(self) -> Application:
        app = (
            Application.builder()
            .token(self.settings.token)
            .base_url(self.settings.api_url)
            .rate_limiter(AIORateLimiter(max_retries=3))
            .concurrent_updates(ChatOrder())
            .post_init(self._post_init)
            .post_shutdown(self._post_shutdown)
            .build()
        )
        private = filters.ChatType.PRIVATE
        groups = filters.ChatType.GROUPS
        app.add_handler(MessageHandler(filters.UpdateType.EDITED, self.on_edited))
        app.add_handler(MessageHandler(groups & filters.StatusUpdate.NEW_CHAT_MEMBERS, self.on_added))
        app.add_handler(MessageHandler(groups & ~filters.StatusUpdate.ALL, self.on_group))
        commands = {
            "start": self.on_start,
            "language": self.on_language,
            "help": self.on_help,
            "privacy": self.on_privacy,
            "forget": self.on_forget,
            "restart": self.on_restart,
        }
        for name, callback in commands.items():
            app.add_handler(CommandHandler(name, callback, filters=private & filters.UpdateType.MESSAGE))
        app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE & filters.TEXT, self.on_text))
        app.add_handler(
            MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, self.on_other)
        )
        app.add_handler(CallbackQueryHandler(self.on_tap))
        app.add_error_handler(self.on_error)
        return app

    async def _post_init(self, app: Application) -> None:
        """The command menu in every supported language (and English as the default)."""
        for code in (None, *languages()):
            _ = translator(code or "en")
            menu = [BotCommand(name, _(description)) for name, description in texts.COMMANDS]
            await self.deliver(app.bot.set_my_commands, menu, language_code=code)

    async def _post_shutdown(self, app: Application) -> None:
        await self.rasa.aclose()

    # -- sending -------------------------------------------------------------------------
    async def deliver(self, call: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T | None:
        """A Bot API call, retried after 5xx and network errors with backoff.

        429 is waited out by the rate limiter first (it pauses every request for
        ``retry_after``); a 429 that outlasts its retries is waited out here too. A
        message Telegram refuses for its markup is sent again as plain text.
        """
        name = getattr(call, "__name__", "call")
        for attempt in range(len(self.send_backoff) + 1):
            try:
                return await call(*args, **kwargs)
            except RetryAfter as exc:
                wait = (
                    exc.retry_after.total_seconds()
                    if hasattr(exc.retry_after, "total_seconds")
                    else float(exc.retry_after)
                )
                problem = "429"
            except BadRequest as exc:
                if kwargs.get("parse_mode") == ParseMode.HTML and "parse" in str(exc).lower():
                    log.error("Telegram refused the markup of a message; sending it as plain text")
                    kwargs = {**kwargs, "parse_mode": None, "text": fmt.plain(kwargs["text"])}
                    continue
                log.warning("Telegram refused %s: %s", name, exc.message)
                return None
            except Forbidden:
                log.info("Telegram: the person has blocked the bot or left the chat (%s)", name)
                return None
            except NetworkError as exc:  # 5xx, timeouts, broken connections
                wait, problem = (
                    (self.send_backoff[attempt] if attempt < len(self.send_backoff) else 0),
                    type(exc).__name__,
                )
            if attempt < len(self.send_backoff):
                log.warning("Telegram %s failed (%s), retry %d in %.1f s", name, problem, attempt + 1, wait)
                await asyncio.sleep(wait)
        log.error(
            "ALERT: Telegram %s failed %d times; a message was not delivered",
            name,
            len(self.send_backoff) + 1,
        )
        return None

    def _markup(self, rows: tuple[tuple[tuple[str, str], ...], ...]) -> InlineKeyboardMarkup | None:
        if not rows:
            return None
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(title, callback_data=self._callback_data(payload))
                    for title, payload in row
                ]
                for row in rows
            ]
        )

    def _callback_data(self, payload: str) -> str:
        """The payload itself when it fits Telegram's 64 bytes, else a short key to it."""
        if len(payload.encode()) <= fmt.MAX_CALLBACK_BYTES and not payload.startswith("#"):
            return payload
        key = "#" + secrets.token_urlsafe(12)
        self._payloads.remember(key, payload)
        return key

    async def send_html(self, chat_id: int, messages: Sequence[fmt.Outgoing]) -> None:
        for message in messages:
            await self.deliver(
                self.app.bot.send_message,
                chat_id=chat_id,
                text=message.html,
                parse_mode=ParseMode.HTML,
                reply_markup=self._markup(message.keyboard),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )

    async def say(self, chat_id: int, language: str, text: str) -> None:
        """One of the bridge's own texts, in the person's language."""
        await self.send_html(chat_id, [fmt.Outgoing(fmt.escape(translator(language)(text)))])

    @contextlib.asynccontextmanager
    async def typing(self, chat_id: int) -> AsyncIterator[None]:
        """"typing…" in the chat until the block ends (Telegram shows it for 5 s at a time).

        Stopped by an event, not by cancelling: a cancellation that lands inside the
        HTTP client can be swallowed there, and the loop would then type forever.
        """
        stop = asyncio.Event()

        async def keep_typing() -> None:
            while not stop.is_set():
                with contextlib.suppress(TelegramError):
                    await self.app.bot.send_chat_action(chat_id, ChatAction.TYPING)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), TYPING_EVERY)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            stop.set()
            # The answer waits for a chat action still on its way, or it would arrive
            # first and "typing…" would show after it.
            await asyncio.wait({task}, timeout=10)

    # -- the conversation -------------------------------------------------------------------
    def language(self, update: Update) -> str:
        """The person's language: the last one the conversation used, else Telegram's."""
        chat = update.effective_chat
        remembered = self._languages.get(pseudonym(CHANNEL, chat.id)) if chat else None
        user = update.effective_user
        return remembered or normalise_language(user.language_code if user else None) or "en"

    def _remember_language(self, sender: str, payload: str) -> None:
        if payload.startswith("/choose_language{"):
            with contextlib.suppress(ValueError, AttributeError):
                chosen = normalise_language(json.loads(payload[len("/choose_language") :]).get("language"))
                if chosen:
                    self._languages.remember(sender, chosen)

    async def ask_rasa(self, update: Update, message: str) -> list[dict] | None:
        """One message to Rasa as the chat's pseudonym; None (and the person told) if it fails."""
        chat = update.effective_chat
        sender = pseudonym(CHANNEL, chat.id)
        user = update.effective_user
        metadata = {"language": user.language_code} if user and user.language_code else {}
        self._remember_language(sender, message)
        try:
            async with self.typing(chat.id):
                replies = await self.rasa.send(sender, message, metadata)
        except RasaUnavailable as exc:
            log.error(
                "ALERT: the Rasa server %s does not answer (%s); the person was told to try again",
                self.settings.rasa_url,
                exc,
            )
            await self.say(chat.id, self.language(update), texts.TRY_AGAIN)
            return None
        except RasaRefused as exc:
            log.error("Rasa refused a message from the bridge (%s); the person was told to try again", exc)
            await self.say(chat.id, self.language(update), texts.TRY_AGAIN)
            return None
        for reply in replies:
            custom = reply.get("custom")
            if isinstance(custom, dict) and normalise_language(custom.get("language")):
                self._languages.remember(sender, normalise_language(custom["language"]))
        return replies

    async def converse(self, update: Update, message: str, before: str | None = None) -> None:
        """Send ``message`` to Rasa and its replies to the chat (``before`` first, if given)."""
        replies = await self.ask_rasa(update, message)
        if replies is None:
            return
        if before:
            await self.say(update.effective_chat.id, self.language(update), before)
        await self.send_html(update.effective_chat.id, fmt.outgoing(replies, self.language(update)))

    # -- handlers ------------------------------------------------------------------------
    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(update, update.effective_message.text)

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(update, "/greet")

    async def on_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(update, "/choose_language")

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(update, "/help")

    async def on_restart(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(update, "/restart")

    async def on_forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(update, forget_message(), before=texts.FORGOTTEN)

    async def on_privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        notice = texts.privacy(translator(self.language(update)))
        await self.send_html(update.effective_chat.id, [fmt.Outgoing(fmt.escape(notice))])

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A sticker, photo, voice message, file, location...: only text is read."""
        log.info("non-text message answered (%s)", _kind(update.effective_message))
        await self.say(update.effective_chat.id, self.language(update), texts.TEXT_ONLY)

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat and chat.type == ChatType.PRIVATE:
            await self.say(chat.id, self.language(update), texts.EDITED)

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        bot_name = f"@{context.bot.username}".lower()
        addressed = (
            (message.text or "").startswith("/")
            or bot_name in (message.text or "").lower()
            or (
                message.reply_to_message is not None
                and message.reply_to_message.from_user is not None
                and message.reply_to_message.from_user.id == context.bot.id
            )
        )
        if addressed:  # only what is said to the bot: never talk over a group's conversation
            await self.say(update.effective_chat.id, self.language(update), texts.PRIVATE_ONLY)

    async def on_added(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if any(member.id == context.bot.id for member in update.effective_message.new_chat_members):
            await self.say(update.effective_chat.id, self.language(update), texts.PRIVATE_ONLY)

    async def on_tap(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button: answered at once (no spinner), the choice marked, its payload to Rasa."""
        query = update.callback_query
        await self.deliver(query.answer)
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        data = query.data or ""
        payload = self._payloads.get(data) if data.startswith("#") else data
        title = _button_title(query.message, data)
        if isinstance(query.message, Message):
            await self._mark(query.message, title)
        if payload is None:  # a key this bridge no longer remembers: the title as words
            payload = title or "?"
        await self.converse(update, payload)

    async def _mark(self, message: Message, title: str | None) -> None:
        """The keyboard removed and the choice written under the question."""
        shown = "" if (message.text or "").strip("\u2060 ") == "" else message.text_html
        marked = (shown + "\n\n" if shown else "") + f"✓ <b>{fmt.escape(title or '')}</b>"
        if title and fmt.utf16_length(marked) <= fmt.MAX_CHARS:
            edited = await self.deliver(
                message.edit_text,
                marked,
                parse_mode=ParseMode.HTML,
                reply_markup=None,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
            if edited is not None:
                return
        await self.deliver(message.edit_reply_markup, reply_markup=None)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Whatever failed is logged without the update; the person still gets an answer."""
        error = context.error
        log.error(
            "handling an update failed: %s",
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__) if error else None,
        )
        if (
            isinstance(update, Update)
            and update.effective_chat
            and update.effective_chat.type == ChatType.PRIVATE
        ):
            with contextlib.suppress(Exception):
                await self.say(update.effective_chat.id, self.language(update), texts.TRY_AGAIN)

    # -- running -------------------------------------------------------------------------
    def webhook_options(self) -> dict[str, Any]:
        """Where the webhook listens, its public URL, and the secret Telegram must send back.

        The secret is new at every start and set with ``setWebhook``; the library answers
        403 to a request without it, so nobody but Telegram can post updates.
        """
        url = self.settings.webhook_url or ""
        host, _, port = self.settings.listen.rpartition(":")
        return {
            "listen": host or "127.0.0.1",
            "port": int(port),
            "url_path": urlsplit(url).path.lstrip("/"),
            "webhook_url": url,
            "secret_token": self._secret,
        }

    @contextlib.asynccontextmanager
    async def serving(self, poll_timeout: int = 10) -> AsyncIterator[Application]:
        """The bridge on an event loop that is already running (``run`` makes its own loop)."""
        app = self.app
        await app.initialize()
        try:
            await self._post_init(app)
            await app.start()
            if self.settings.webhook_url:
                await app.updater.start_webhook(**self.webhook_options(), allowed_updates=Update.ALL_TYPES)
            else:
                await app.updater.start_polling(timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)
            try:
                yield app
            finally:
                await app.updater.stop()
                await app.stop()
        finally:
            await app.shutdown()
            await self._post_shutdown(app)

    def run(self) -> None:
        """Until Ctrl-C or SIGTERM (the library's own loop and signal handling)."""
        if self.settings.webhook_url:
            self.app.run_webhook(**self.webhook_options(), allowed_updates=Update.ALL_TYPES)
        else:
            self.app.run_polling(allowed_updates=Update.ALL_TYPES)


def _kind(message: Message | None) -> str:
    """What kind of message it is (sticker, photo...), for a log line without its content."""
    if message is None:
        return "none"
    for kind in (
        "sticker",
        "photo",
        "voice",
        "audio",
        "video",
        "video_note",
        "document",
        "location",
        "venue",
        "contact",
        "poll",
        "dice",
        "animation",
        "game",
        "story",
    ):
        if getattr(message, kind, None):
            return kind
    return "other"


def _button_title(message: object, data: str) -> str | None:
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", None) or ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


def main(env: Mapping[str, str] | None = None) -> int:
    try:
        settings = Settings.from_env(os.environ if env is None else env)
    except MissingToken as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging()
    mode = "webhook" if settings.webhook_url else "long polling"
    log.info("Kotobotti on Telegram (%s), Rasa at %s", mode, settings.rasa_url)
    Bridge(settings).run()
    return 0
