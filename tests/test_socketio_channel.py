"""The socket.io channel's messages (rasa_components/socketio_channel.py): each bot message
whole, as one event, with its buttons, its custom payload and its language."""

from __future__ import annotations

from rasa_components.socketio_channel import SESSION_ID, event_for, problem, text_of


def test_a_message_is_one_event_with_its_language():
    text = "What you are entitled to:\n\n1. Koto-Espoo"
    custom = {"recommendations": [{"service": "general_guidance", "provider": "Espoo"}], "text": text}
    event = event_for({"text": text, "custom": custom, "language": "ar", "timestamp": 1.0, "buttons": None})
    assert event == {"text": text, "custom": custom, "metadata": {"language": "ar"}}


def test_buttons_travel_as_quick_replies():
    event = event_for({"text": "Do you agree?", "buttons": [{"title": "Yes", "payload": "/affirm"}]})
    assert event["quick_replies"] == [{"content_type": "text", "title": "Yes", "payload": "/affirm"}]
    assert "metadata" not in event


def test_nothing_to_say_is_no_event():
    assert event_for({"text": None, "timestamp": 1.0}) == {}


def test_only_what_a_widget_sends_reaches_rasa():
    good = {"message": "hello", "session_id": "0123456789abcdef", "metadata": {"language": "fi"}}
    assert problem(good, persistent=True) is None
    assert problem({**good, "metadata": None}, persistent=True) is None
    assert problem({"message": "hello"}, persistent=False) is None
    assert problem({**good, "message": b"\xff bytes"}, persistent=True) is None  # read as UTF-8
    assert problem({**good, "message": "x" * 10_000}, persistent=True) is None  # answered "too long"
    for bad in (
        ["hello"],
        "hello",
        {**good, "message": ["not", "text"]},
        {**good, "message": {"text": "hi"}},
        {**good, "metadata": '{"language": "fi"}'},
        {**good, "session_id": None},
        {**good, "session_id": "../x"},
    ):
        assert problem(bad, persistent=True), bad


def test_session_ids():
    assert SESSION_ID.fullmatch("0123456789abcdef0123456789abcdef")
    for bad in ("", "short", "../../etc", "a" * 65, "id with spaces"):
        assert not SESSION_ID.fullmatch(bad)


def test_a_socket_message_is_checked_like_every_channels():
    """The widget's channel hands Rasa what bot.channels.inbound makes of a message: an
    internal command typed as text is words, never an action."""
    from bot.channels import texts
    from bot.channels.inbound import check_message

    assert check_message("a" * 32, "/session_start").text == "session_start"
    assert check_message("a" * 32, "   ").answer == texts.EMPTY_MESSAGE


def test_bytes_on_the_socket_are_read_as_utf8():
    """A binary attachment in place of text: invalid bytes become U+FFFD, never a crash."""
    assert text_of(b"I am 34") == "I am 34"
    assert text_of(b"\xff\xfe 34 \xc3\x28") == "\ufffd\ufffd 34 \ufffd("
    assert text_of(bytearray(b"hei")) == "hei"
    assert text_of(["not text"]) == ["not text"]


def test_a_packet_that_is_not_utf8_is_one_warning_line_not_a_traceback():
    """engine.io logs the traceback of a client's undecodable packet at ERROR; ours is one
    WARNING line (found by tests/e2e/test_bad_input.py)."""
    import logging
    import sys

    from rasa_components.socketio_channel import OneLineForUndecodable

    try:
        b"\xff".decode("utf-8")
    except UnicodeDecodeError:
        error = sys.exc_info()
    record = logging.LogRecord("engineio.server", logging.ERROR, "x", 1, "handler error", (), error)
    assert OneLineForUndecodable().filter(record)
    assert (record.levelname, record.exc_info) == ("WARNING", None)
    assert "not UTF-8" in record.getMessage()
    failure = (ValueError, ValueError(), None)
    other = logging.LogRecord("engineio.server", logging.ERROR, "x", 1, "other", (), failure)
    OneLineForUndecodable().filter(other)
    assert other.levelname == "ERROR" and other.exc_info
