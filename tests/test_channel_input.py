"""What every channel accepts (bot/channels/inbound.py), how Telegram shows the replies
(bot/channels/telegram_format.py), and the pseudonyms chats get (bot/pseudonym.py).
The same checks over HTTP against the real Rasa server: tests/e2e/test_channel_input.py."""

from __future__ import annotations

import html
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import pseudonym, render
from bot.channels import telegram_format as fmt
from bot.channels import texts
from bot.channels.inbound import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    RESTART,
    BadRequest,
    check_message,
    forget_message,
    parse_request,
    safe_text,
)
from bot.eligibility import assess
from bot.facts import Profile
from bot.i18n import translator
from tests.bad_inputs import BAD


# -- requests -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body, reason",
    [
        (b"", "empty"),
        (b"[1, 2]", "JSON object"),
        (b'"hello"', "JSON object"),
        (b"{not json", "not JSON"),
        (b'{"message": "hi"}', '"sender"'),
        (b'{"sender": "", "message": "hi"}', '"sender"'),
        (b'{"sender": 42, "message": "hi"}', '"sender"'),
        (b'{"sender": "a"}', '"message"'),
        (b'{"sender": "a", "message": ["hi"]}', '"message"'),
        (b'{"sender": "a", "message": "hi", "metadata": [1]}', '"metadata"'),
        (b'{"sender": "a", "message": "hi", "metadata": {"language": 5}}', "language"),
    ],
)
def test_a_request_that_is_not_a_message_is_refused_with_its_reason(body, reason):
    with pytest.raises(BadRequest) as refused:
        parse_request(body)
    assert refused.value.status == 400 and reason in str(refused.value)


def test_too_large_is_413():
    with pytest.raises(BadRequest) as refused:
        parse_request(json.dumps({"sender": "a", "message": "x" * (MAX_BODY_BYTES + 1)}).encode())
    assert refused.value.status == 413


def test_a_message_too_long_to_read_is_answered_by_the_channel():
    """10 000 emoji are 120 kB of escaped JSON: still a message, answered "too long"."""
    message = parse_request(json.dumps({"sender": "a", "message": "😀" * 10_000}).encode())
    assert (message.text, message.answer) == ("", texts.TOO_LONG)
    assert check_message("a", "x" * (MAX_MESSAGE_CHARS + 1)).answer == texts.TOO_LONG
    assert check_message("a", "x" * MAX_MESSAGE_CHARS).answer is None


@pytest.mark.parametrize(
    "typed",
    ["", "   ", " \t\n\r\n ", "\u3000", "\u00a0\u202f", "\x00\x1b\x7f", "\x85\x9f",
     "\u200b\u200c\u200d\u2060\ufeff", "\u202e\u2066\u2069\u200f", "\u2028\u2029", "\ufe0f"],
)
def test_a_message_with_nothing_to_read_is_answered_by_the_channel(typed):
    message = check_message("a", typed)
    assert (message.text, message.answer) == ("", texts.EMPTY_MESSAGE)


@pytest.mark.parametrize(
    "typed, seen",
    [
        ("3\u200b4", "34"),  # a zero-width space inside a number
        ("Es\u00adpoo", "Espoo"),  # a soft hyphen
        ("\u202e34\u202c", "34"),  # right-to-left override
        ("\u2067عمري ٣٤\u2069", "عمري ٣٤"),  # isolates around Arabic
        ("\ufeffhei", "hei"),
        ("I am\x0034", "I am 34"),
        ("\x1b[2J\x1b[31m34\x1b[0m", "34"),  # a terminal's colour codes
        ("olen\x8534", "olen34"),
        ("line\u2028break", "line\nbreak"),
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian is written with the zero-width non-joiner
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # an emoji family keeps its joiners
    ],
)
def test_invisible_characters_are_dropped_before_the_assistant_reads(typed, seen):
    assert check_message("a", typed).text == seen


def test_a_lone_surrogate_becomes_the_replacement_character():
    """JSON's "\\ud800" decodes to a str no UTF-8 database, log or socket can carry."""
    message = parse_request(b'{"sender": "a", "message": "\\ud800 34 \\udfff"}')
    assert message.text == "\ufffd 34 \ufffd"
    message.text.encode("utf-8")
    with pytest.raises(BadRequest):
        parse_request(b'{"sender": "a\\ud800", "message": "hi"}')


def test_json_nested_too_deeply_is_a_400_not_a_crash():
    body = b'{"sender": "a", "message": "hi", "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    with pytest.raises(BadRequest) as refused:
        parse_request(body)
    assert refused.value.status == 400 and "nested" in str(refused.value)
    typed = '/inform{"age": ' + "[" * 1500 + "]" * 1500 + "}"
    assert safe_text(typed) == typed[1:]  # read as words, never a RecursionError


def test_every_curated_bad_input_is_a_message_or_answered():
    """No entry of tests/bad_inputs.py is refused or crashes the checks, and what reaches
    the assistant holds nothing invisible and no lone surrogate."""
    for bad in BAD:
        message = check_message("a", bad.text)
        assert (message.answer is not None) == (bad.answer is not None), bad
        assert message.answer == bad.answer or message.answer is None
        if message.answer is None:
            assert message.text and message.text == message.text.strip(), bad
            message.text.encode("utf-8")
            assert not {"\u200b", "\u202e", "\ufeff", "\x00"} & set(message.text), bad


def test_a_message_keeps_its_sender_and_metadata():
    message = parse_request(b'{"sender": "abc", "message": " hei ", "metadata": {"language": "fi-FI"}}')
    assert (message.sender, message.text, message.metadata) == ("abc", "hei", {"language": "fi-FI"})


# -- typed /intent{...} ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        "/greet",
        "/affirm",
        '/inform{"age": -5}',  # the conversation refuses the value, with the question again
        '/inform{"permit_type": "work", "municipality": "Esbo"}',
        '/choose_language{"language": "ar"}',
        '/thanks{"rating": "helpful"}',
        "/restart",
    ],
)
def test_intents_a_person_may_send_pass_unchanged(typed):
    assert safe_text(typed) == typed


@pytest.mark.parametrize(
    "typed, words",
    [
        ("/restart{", "restart{"),
        ('/restart{"x": 1}', 'restart{"x": 1}'),
        ("/session_start", "session_start"),
        ("/action_restart", "action_restart"),
        ("/action_listen", "action_listen"),
        ("/back", "back"),
        ("/nlu_fallback", "nlu_fallback"),
        ("/danger@0.01", "danger@0.01"),  # Rasa's confidence syntax
        ('/inform{"stage": "consented"}', 'inform{"stage": "consented"}'),  # not an entity
        ('/inform{"requested_slot": null}', 'inform{"requested_slot": null}'),
        ('/inform{"age": [34]}', 'inform{"age": [34]}'),
        ('/inform{"age": 1e999}', 'inform{"age": 1e999}'),
        ("/inform[1]", "inform[1]"),
        ('/inform{"age": 34', 'inform{"age": 34'),
        ("//greet", "greet"),
        ("/", "?"),
    ],
)
def test_anything_else_with_a_slash_is_read_as_words(typed, words):
    assert safe_text(typed) == words


@given(st.text(min_size=1, max_size=200))
def test_nothing_typed_reaches_rasa_as_an_internal_intent(typed):
    try:
        message = check_message("s", typed)
    except BadRequest:
        return
    text = message.text
    assert text.strip() or message.answer
    if text.startswith("/"):
        intent = text[1:].split("{")[0]
        assert intent not in ("session_start", "back", "nlu_fallback") and not intent.startswith("action_")


def test_forget_is_a_reset_today():
    assert forget_message() == RESTART
    assert check_message("s", forget_message()).is_restart


# -- Telegram formatting --------------------------------------------------------------------------
def payload(language: str = "en") -> dict:
    """The recommendation payload as the conversation sends it: §3 and the readable text."""
    result = assess(Profile("temporary_protection", "Espoo", 34, "not_working"), language)
    return {**result.payload(), "text": render.text(result, translator(language))}


def test_the_recommendation_is_escaped_html_with_links_and_international_numbers():
    data = payload()
    data["text"] += "\n9. Koto-Espoo <b>&</b> friends\n   Phone: 09 310 37577"
    shown = fmt.recommendations(data, "en")
    assert "<b>9. Koto-Espoo &lt;b&gt;&amp;&lt;/b&gt; friends</b>" in shown
    assert "+358 9 310 37577" in shown and "tel:" not in shown
    assert '<a href="https://luvn.fi">https://luvn.fi</a>' in shown
    assert html.unescape(fmt.plain(shown)).startswith("What you are entitled to")


def test_source_pages_are_links_never_the_file_name():
    data = payload()
    shown = fmt.recommendations(data, "en")
    for rec in data["recommendations"]:
        assert f'<a href="{html.escape(rec["source_url"])}">' in shown
        assert rec["source"] not in shown
    assert ".txt" not in shown and ".md" not in shown


def test_the_recommendation_is_in_the_payloads_language():
    shown = fmt.recommendations(payload("fi"), "en")
    _ = translator("fi")
    assert shown.startswith(f"<b>{_('What you are entitled to, and whom to contact:')}</b>")
    assert _("Phone") + ": +358 40 6344480" in shown


@pytest.mark.parametrize(
    "phone, shown",
    [
        ("09 310 37577", "+358 9 310 37577"),
        ("0295 430 431", "+358 295 430 431"),
        ("+358 40 6344480", "+358 40 6344480"),
        ("112", "112"),
        ("00358 9 1", "+358 9 1"),
    ],
)
def test_international_numbers(phone, shown):
    assert fmt.international(phone) == shown


def test_texts_are_split_at_4096_on_line_boundaries():
    lines = [f"<b>line {i}</b> " + "x" * 90 for i in range(200)]
    parts = fmt.split("\n".join(lines))
    assert len(parts) > 1 and all(fmt.utf16_length(p) <= fmt.MAX_CHARS for p in parts)
    assert "\n".join(parts).split("\n") == lines  # nothing lost, no line cut
    assert all(p.count("<b>") == p.count("</b>") for p in parts)


def test_one_very_long_line_is_cut_at_spaces_outside_tags():
    line = " ".join(['<a href="https://x.fi/a b">word</a>'] * 400)
    parts = fmt.split(line)
    assert len(parts) > 1 and all(fmt.utf16_length(p) <= fmt.MAX_CHARS for p in parts)
    assert all(p.count("<a ") == p.count("</a>") for p in parts)
    emoji = fmt.split("😀" * 3000)  # two UTF-16 units each
    assert all(fmt.utf16_length(p) <= fmt.MAX_CHARS for p in emoji) and "".join(emoji) == "😀" * 3000


def test_the_plain_text_of_the_recommendation_is_not_sent_twice():
    data = payload()
    body = "What you are entitled to\n\n1. first\n\n2. second"
    replies = [
        {
            "text": "This answer is based on: ...",
            "buttons": [{"title": "Change an answer", "payload": "/change_answer"}],
        },
        *({"text": part} for part in body.split("\n\n")),
        {"custom": {**data, "text": body}},
        {
            "text": "Was this helpful?",
            "buttons": [{"title": "👍", "payload": '/thanks{"rating": "helpful"}'}],
        },
    ]
    out = fmt.outgoing(replies, "en")
    assert len(out) == 3
    assert out[0].keyboard == ((("Change an answer", "/change_answer"),),)
    assert out[1].html.startswith("<b>What you are entitled to") and not out[1].keyboard
    assert out[2].keyboard == ((("👍", '/thanks{"rating": "helpful"}'),),)


def test_user_and_bot_text_is_escaped():
    out = fmt.outgoing([{"text": "You wrote <img src=x onerror=alert(1)> & more"}], "en")
    assert out[0].html == "You wrote &lt;img src=x onerror=alert(1)&gt; &amp; more"


def test_keyboards_put_short_titles_together_and_long_ones_alone():
    assert fmt.keyboard([("👍", "a"), ("👎", "b")]) == ((("👍", "a"), ("👎", "b")),)
    long = [("Temporary protection (for example from Ukraine)", "x"), ("Work", "y")]
    assert fmt.keyboard(long) == (((long[0]),), ((long[1]),))


# -- pseudonyms -------------------------------------------------------------------------------------
def test_pseudonyms_are_stable_keyed_and_reveal_nothing(monkeypatch, tmp_path):
    monkeypatch.setattr(pseudonym, "SECRET_FILE", tmp_path / "var" / "id_secret")
    monkeypatch.delenv(pseudonym.SECRET_VARIABLE, raising=False)
    first = pseudonym.pseudonym("telegram", 123456789)
    assert first == pseudonym.pseudonym("telegram", 123456789) and "123456789" not in first
    assert first != pseudonym.pseudonym("telegram", 123456780) != pseudonym.pseudonym("web", 123456789)
    key_file = tmp_path / "var" / "id_secret"
    assert key_file.stat().st_mode & 0o777 == 0o600 and len(key_file.read_text()) == 64
    monkeypatch.setenv(pseudonym.SECRET_VARIABLE, "another key")
    assert pseudonym.pseudonym("telegram", 123456789) != first
