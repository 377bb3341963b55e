"""The Telegram bridge with the real python-telegram-bot against a fake Bot API server and a
fake Rasa REST channel (both real HTTP servers on free ports): what it sends, in which
order, in which language, and what it does when Telegram or Rasa fail.

The fake Rasa answers with the conversation's own messages (``bot.conversation``), so
the texts, buttons and the recommendation payload have their real shape and language.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest

from bot import conversation, storage
from bot.channels import telegram, texts
from bot.channels import telegram_format as fmt
from bot.channels.inbound import forget_message
from bot.conversation import texts as conversation_texts
from bot.conversation.turns import Message, State
from bot.facts import FACTS
from bot.i18n import languages, translator
from bot.pseudonym import pseudonym
from bot.serve import free_port
from tests.telegram_fakes import (
    BOT_ID,
    FakeBotApi,
    FakeRasa,
    bridge_for,
    buttons,
    content,
    edited,
    tap,
    text,
)


def rest(messages: list[Message], sender: str = "s") -> list[dict]:
    """Messages as Rasa's REST channel returns them (a text in paragraphs, then its custom)."""
    out: list[dict] = []
    for m in messages:
        if m.buttons:
            out.append(
                {
                    "recipient_id": sender,
                    "text": m.text,
                    "buttons": [{"title": t, "payload": p} for t, p in m.buttons],
                }
            )
        elif m.text:
            out.extend({"recipient_id": sender, "text": part} for part in m.text.strip().split("\n\n"))
        if m.custom:
            out.append({"recipient_id": sender, "custom": m.custom})
    return out


PROFILE = {
    "permit_type": "temporary_protection",
    "municipality": "Espoo",
    "age": 34.0,
    "employment_status": "not_working",
    "years_since_first_permit": 1.0,
}


def script(language: str) -> dict[str, list[Message]]:
    """What the assistant answers to each message of one whole conversation."""
    _ = translator(language)
    slots = {"language": language, "stage": "consented"}

    def ask(slot: str) -> list[Message]:
        return [conversation.question(slot, State(dict(slots)), _)]

    return {
        "/greet": conversation_texts.welcome(_),
        "/affirm": [Message(_("Thank you. You can stop at any time.")), *ask("permit_type")],
        '/inform{"permit_type": "temporary_protection"}': ask("municipality"),
        "Espoo": ask("age"),
        "34": ask("employment_status"),
        '/inform{"employment_status": "not_working"}': conversation.recommend(
            State({**slots, **PROFILE})
        ).messages,
        "/help": [Message(_(conversation_texts.HELP))],
        "/choose_language": [conversation_texts.language_menu(_)],
        "/restart": conversation_texts.welcome(_),
    }


def scripted_brain():
    async def brain(body: dict) -> list[dict]:
        language = (body.get("metadata") or {}).get("language") or "en"
        answers = script(language)
        said = answers.get(
            body["message"], [Message(translator(language)(conversation_texts.NOT_UNDERSTOOD))]
        )
        return rest(said, body["sender"])

    return brain


def run(coroutine) -> Any:
    return asyncio.run(coroutine)


# -- a whole conversation, in two languages ---------------------------------------------------------
async def _conversation(api: FakeBotApi, rasa: FakeRasa, chat: int, language: str) -> None:
    _ = translator(language)
    sender = pseudonym("telegram", chat)

    await api.push(text(chat, "/start", language))
    sent = await api.wait_sent(2, chat)
    welcome = conversation_texts.welcome(_)
    assert [m["text"] for m in sent] == [fmt.escape(welcome[0].text), fmt.escape(welcome[1].text)]
    assert all(m["parse_mode"] == "HTML" for m in sent)
    consent = sent[-1]
    assert buttons(consent) == list(welcome[1].buttons)  # titles in the language, payloads as data

    def mine() -> list[dict]:
        return [r for r in rasa.requests if r["sender"] == sender]

    first = mine()[0]
    assert first["message"] == "/greet" and first["metadata"] == {"language": language}
    assert first["sender"] == sender and str(chat) not in first["sender"]

    async def choose(message: dict, payload: str, expect: int) -> list[dict]:
        title = next(t for t, data in buttons(message) if data == payload)
        before = len(api.sent(chat))
        pressed = tap(chat, message, payload, language)
        await api.push(pressed)
        sent = await api.wait_sent(before + expect, chat)
        answered = [a["callback_query_id"] for a in api.of("answerCallbackQuery")]
        assert answered.count(pressed["callback_query"]["id"]) == 1  # no spinner left hanging
        edit = next(
            e for e in api.of("editMessageText") if int(e["message_id"]) == message["message"]["message_id"]
        )
        assert edit["text"].endswith(f"✓ <b>{fmt.escape(title)}</b>") and "reply_markup" not in edit
        assert mine()[-1]["message"] == payload
        return sent[before:]

    async def say(words: str, expect: int) -> list[dict]:
        before = len(api.sent(chat))
        await api.push(text(chat, words, language))
        return (await api.wait_sent(before + expect, chat))[before:]

    new = await choose(consent, "/affirm", 2)
    assert new[0]["text"] == fmt.escape(_("Thank you. You can stop at any time."))
    assert new[1]["text"] == fmt.escape(_(FACTS["permit_type"].question))
    new = await choose(new[1], '/inform{"permit_type": "temporary_protection"}', 1)
    assert new[0]["text"].startswith(fmt.escape(_(FACTS["municipality"].question)))
    new = await say("Espoo", 1)
    assert new[0]["text"] == fmt.escape(_(FACTS["age"].question))
    new = await say("34", 1)
    assert buttons(new[0])  # the work situation as buttons
    new = await choose(new[0], '/inform{"employment_status": "not_working"}', 3)
    based, answer, rating = new
    assert buttons(based)[0][1] == "/change_answer"
    # The recommendations: one formatted message, in the language, nothing said twice.
    assert answer["text"].startswith(
        f"<b>{fmt.escape(_('What you are entitled to, and whom to contact:'))}</b>"
    )
    assert "Koto-Espoo" in answer["text"] and "+358 40 6344480" in answer["text"]
    assert '<a href="https://' in answer["text"] and ".txt" not in answer["text"]
    assert answer["link_preview_options"] == {"is_disabled": True}
    assert [t for t, _p in buttons(rating)][1:] == ["👍", "👎"]
    assert all(str(chat) not in r["sender"] for r in rasa.requests)
    typing = [c for c in api.of("sendChatAction") if c["chat_id"] == chat]
    assert typing and all(c["action"] == "typing" for c in typing)


def test_a_whole_conversation_in_finnish_and_arabic_at_once():
    async def main() -> None:
        async with (
            FakeBotApi().running() as api,
            FakeRasa(scripted_brain()).running() as rasa,
            bridge_for(api, rasa.url).serving(poll_timeout=1),
        ):
            await asyncio.gather(_conversation(api, rasa, 4101, "fi"), _conversation(api, rasa, 4102, "ar"))

    run(main())


# -- commands ---------------------------------------------------------------------------------
def test_each_command_and_the_command_menu_in_every_language():
    async def main() -> None:
        chat = 4201
        async with (
            FakeBotApi().running() as api,
            FakeRasa(scripted_brain()).running() as rasa,
            bridge_for(api, rasa.url).serving(poll_timeout=1),
        ):
            menus = {c.get("language_code"): c["commands"] for c in api.of("setMyCommands")}
            assert set(menus) == {None, *languages()}
            for code in languages():
                _ = translator(code)
                assert menus[code] == [{"command": n, "description": _(d)} for n, d in texts.COMMANDS]
            assert [c["command"] for c in menus[None]] == [
                "start",
                "language",
                "help",
                "privacy",
                "forget",
                "restart",
            ]

            _ = translator("sv")
            count = 0

            async def command(words: str, expect: int) -> list[dict]:
                nonlocal count
                await api.push(text(chat, words, "sv"))
                count += expect
                return (await api.wait_sent(count, chat))[count - expect :]

            help_ = await command("/help", 1)
            assert help_[0]["text"] == fmt.escape(_(conversation_texts.HELP))
            assert rasa.requests[-1]["message"] == "/help"
            menu = await command("/language", 1)
            assert rasa.requests[-1]["message"] == "/choose_language"
            assert len(buttons(menu[0])) == len(languages())
            privacy = await command("/privacy", 1)
            assert privacy[0]["text"] == fmt.escape(texts.privacy(_))
            assert f" {storage.retention_days()} " in privacy[0]["text"]
            assert rasa.requests[-1]["message"] == "/choose_language"  # /privacy is the bridge's own
            restart = await command("/restart", 2)
            assert rasa.requests[-1]["message"] == "/restart"
            assert restart[0]["text"] == fmt.escape(conversation_texts.welcome(_)[0].text)
            forget = await command("/forget", 3)
            assert rasa.requests[-1]["message"] == forget_message()
            assert forget[0]["text"] == fmt.escape(_(texts.FORGOTTEN))  # confirmed, then greeted again
            start = await command("/start@" + "kotobotti_test_bot", 2)
            assert rasa.requests[-1]["message"] == "/greet"
            assert start[1]["reply_markup"]["inline_keyboard"]
            # A typed /intent{...} is passed on for the Rasa channel to check, like any answer.
            await command('/inform{"age": -5}', 1)
            assert rasa.requests[-1]["message"] == '/inform{"age": -5}'

    run(main())


# -- what the bridge cannot read ------------------------------------------------------------------
def test_stickers_photos_voice_files_locations_edits_and_groups_get_a_polite_answer():
    async def main() -> None:
        chat = 4301
        async with (
            FakeBotApi().running() as api,
            FakeRasa(scripted_brain()).running() as rasa,
            bridge_for(api, rasa.url).serving(poll_timeout=1),
        ):
            _ = translator("uk")
            kinds = ["sticker", "photo", "voice", "document", "location"]
            for n, kind in enumerate(kinds, 1):
                await api.push(content(chat, kind, "uk"))
                sent = await api.wait_sent(n, chat)
                assert sent[-1]["text"] == fmt.escape(_(texts.TEXT_ONLY))
            await api.push(edited(chat, "I meant Vantaa", "uk"))
            sent = await api.wait_sent(len(kinds) + 1, chat)
            assert sent[-1]["text"] == fmt.escape(_(texts.EDITED))

            group = -100777
            await api.push(text(group, "hello everyone", "fi", chat_type="supergroup"))  # not to the bot
            await api.push(text(group, "/start", "fi", chat_type="supergroup"))
            sent = await api.wait_sent(1, group)
            added = text(group, "", "fi", chat_type="group")
            del added["message"]["text"]
            added["message"]["new_chat_members"] = [{"id": BOT_ID, "is_bot": True, "first_name": "Kotobotti"}]
            await api.push(added)
            sent = await api.wait_sent(2, group)
            assert [m["text"] for m in sent] == [fmt.escape(translator("fi")(texts.PRIVATE_ONLY))] * 2
            assert rasa.requests == []  # none of it reached the assistant

    run(main())


# -- order and parallelism ----------------------------------------------------------------------------
def test_one_chat_in_order_and_chats_in_parallel():
    async def main() -> None:
        other_chat_seen = asyncio.Event()
        finished: list[str] = []
        second_waited_for_first: list[bool] = []

        async def brain(body: dict) -> list[dict]:
            message = body["message"]
            if message == "one":
                await other_chat_seen.wait()  # only another chat, running meanwhile, lets it go
            if message == "other":
                other_chat_seen.set()
            if message == "two":
                second_waited_for_first.append("one" in finished)
            finished.append(message)
            return [{"recipient_id": body["sender"], "text": f"re: {message}"}]

        async with (
            FakeBotApi().running() as api,
            FakeRasa(brain).running() as rasa,
            bridge_for(api, rasa.url).serving(poll_timeout=1),
        ):
            await api.push(text(4401, "one"))
            await api.push(text(4401, "two"))
            await api.push(text(4402, "other"))
            sent = await api.wait_sent(2, 4401)
            assert [m["text"] for m in sent] == ["re: one", "re: two"]
            assert second_waited_for_first == [True]
            assert [m["text"] for m in api.sent(4402)] == ["re: other"]

    run(main())


# -- failures -----------------------------------------------------------------------------------------
def test_telegram_429_and_5xx_are_retried_and_every_message_arrives_once():
    async def main() -> None:
        chat = 4501
        async with (
            FakeBotApi().running() as api,
            FakeRasa(scripted_brain()).running() as rasa,
            bridge_for(api, rasa.url).serving(poll_timeout=1),
        ):
            api.fail("sendMessage", 429, retry_after=1)
            api.fail("sendMessage", 502, times=2)
            await api.push(text(chat, "/help", "es"))
            sent = await api.wait_sent(1, chat)
            assert sent[0]["text"] == fmt.escape(translator("es")(conversation_texts.HELP))
            attempts = [c for c in api.of("sendMessage") if c["chat_id"] == chat]
            assert len(attempts) == 4 and len(sent) == 1  # 429, 502, 502, then delivered once

            await api.push(text(chat, "/start", "es"))
            consent = (await api.wait_sent(3, chat))[-1]
            api.fail("answerCallbackQuery", 500)
            api.fail("editMessageText", 503)
            await api.push(tap(chat, consent, "/affirm", "es"))
            await api.wait_sent(5, chat)
            assert len(api.of("answerCallbackQuery")) == 2 and api.of("answerCallbackQuery")[-1]["_ok"]
            assert api.of("editMessageText")[-1]["_ok"]

    run(main())


def test_rasa_down_tells_the_person_to_try_again_and_alerts_the_log(caplog):
    telegram.configure_logging()
    caplog.set_level(logging.DEBUG, logger="kotobotti")

    async def main() -> None:
        chat = 4601
        async with FakeBotApi().running() as api:
            closed = f"http://127.0.0.1:{free_port()}"  # nobody listens
            async with bridge_for(api, closed).serving(poll_timeout=1):
                await api.push(text(chat, "my secret words, I live in Espoo", "fi"))
                sent = await api.wait_sent(1, chat)
                assert sent[0]["text"] == fmt.escape(translator("fi")(texts.TRY_AGAIN))
                await api.push(tap(chat, {**sent[0], "reply_markup": None}, "/affirm", "fi"))
                await api.wait_sent(2, chat)  # a tap gets the same answer

    run(main())
    alerts = [r for r in caplog.records if r.name.startswith("kotobotti") and "ALERT" in r.getMessage()]
    assert alerts and all(r.levelno == logging.ERROR for r in alerts)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("aiohttp"))
    for private in ("4601", "Ann", "ann_example", "secret words", "Espoo"):
        assert private not in logged


def test_rasa_503_is_retried():
    async def main() -> None:
        chat = 4701
        calls = 0

        async def brain(body: dict):
            nonlocal calls
            calls += 1
            if calls == 1:
                return 503, {"error": "starting"}
            return [{"recipient_id": body["sender"], "text": "ok"}]

        async with (
            FakeBotApi().running() as api,
            FakeRasa(brain).running() as rasa,
            bridge_for(api, rasa.url).serving(poll_timeout=1),
        ):
            await api.push(text(chat, "hello"))
            sent = await api.wait_sent(1, chat)
            assert [m["text"] for m in sent] == ["ok"] and calls == 2

    run(main())


# -- webhook mode --------------------------------------------------------------------------------
def test_webhook_mode_sets_the_webhook_and_refuses_requests_without_its_secret():
    async def main() -> None:
        port = free_port()
        chat = 4801
        async with FakeBotApi().running() as api, FakeRasa(scripted_brain()).running() as rasa:
            bridge = bridge_for(
                api, rasa.url, webhook_url="https://bot.example.org/tg/hook", listen=f"127.0.0.1:{port}"
            )
            async with bridge.serving():
                secret = bridge.webhook_options()["secret_token"]
                hook = api.of("setWebhook")[-1]
                assert hook["url"] == "https://bot.example.org/tg/hook" and hook["secret_token"] == secret
                assert api.of("getUpdates") == []
                update = {"update_id": 1, **text(chat, "/help", "et")}
                url = f"http://127.0.0.1:{port}/tg/hook"
                async with httpx.AsyncClient() as client:
                    missing = await client.post(url, json=update)
                    wrong = await client.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
                    )
                    right = await client.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
                    )
                assert (missing.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
                sent = await api.wait_sent(1, chat)
                assert sent[0]["text"] == fmt.escape(translator("et")(conversation_texts.HELP))
                assert len(rasa.requests) == 1

    run(main())


# -- configuration -----------------------------------------------------------------------------------
def test_without_a_token_the_command_exits_2_and_says_how_to_get_one(capsys, monkeypatch):
    from bot import cli

    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert cli.main(["telegram"]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN" in err and "@BotFather" in err and "/newbot" in err


def test_settings_come_from_the_environment():
    settings = telegram.Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": "1:x",
            "KOTOBOTTI_RASA_URL": "http://rasa:5005",
            "KOTOBOTTI_TELEGRAM_API_URL": "http://tg.local/bot",
            "KOTOBOTTI_TELEGRAM_WEBHOOK_URL": "https://example.org/hook",
        }
    )
    assert (settings.rasa_url, settings.api_url, settings.webhook_url) == (
        "http://rasa:5005",
        "http://tg.local/bot",
        "https://example.org/hook",
    )
    defaults = telegram.Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x"})
    assert (defaults.rasa_url, defaults.api_url, defaults.webhook_url) == (
        "http://localhost:5005",
        "https://api.telegram.org/bot",
        None,
    )


@pytest.mark.parametrize("language", ["en", "fi", "ar"])
def test_bridge_texts_exist_in_the_language(language):
    _ = translator(language)
    for message in (
        texts.TRY_AGAIN,
        texts.TEXT_ONLY,
        texts.EDITED,
        texts.PRIVATE_ONLY,
        texts.FORGOTTEN,
        texts.PRIVACY,
        texts.PRIVACY_KEPT,
    ):
        assert _(message) and (_(message) != message) == (language != "en")
