"""How the channels learn of a fault (rasa_components/faults.py), without servers.

The end-to-end tests (tests/e2e/test_faults.py) kill the real action server and restart
the real databases; these show the two mechanisms on their own: a failed action is
noticed for its own message only, and a database error reaches the channel instead of
Rasa's fallback to a new conversation in memory.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.exceptions import RasaException

from bot import storage
from bot.conversation import texts
from bot.i18n import languages, translator
from rasa_components.faults import FAILED_ACTION, PROCESSOR_LOGGER, strict_storage, watching_actions
from rasa_components.tracker_store import KotobottiTrackerStore


def test_a_failed_action_is_noticed_for_its_own_message_only():
    async def message(fails: bool) -> list[str]:
        with watching_actions() as broken:
            await asyncio.sleep(0)
            if fails:  # what Rasa's MessageProcessor logs when the action server is down
                try:
                    raise RasaException("Failed to execute custom action 'action_respond'")
                except RasaException:
                    logging.getLogger(PROCESSOR_LOGGER).exception(
                        f"{FAILED_ACTION} 'action_respond'.Bot will continue, but the events are lost."
                    )
            await asyncio.sleep(0.01)  # the other message runs meanwhile
            return list(broken)

    async def together() -> list[list[str]]:
        return await asyncio.gather(message(True), message(False))

    assert asyncio.run(together()) == [["RasaException"], []]


def test_a_database_error_reaches_the_channel(tmp_path):
    url = f"sqlite:///{tmp_path / 'kotobotti.db'}"
    store = KotobottiTrackerStore(url=url)
    wrapped = FailSafeTrackerStore(store)  # as Rasa's Agent wraps every tracker store
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE {storage.EVENTS_TABLE}"))  # every query now fails
    engine.dispose()
    # Rasa's way: "no conversation", so the person would be greeted as a stranger.
    assert asyncio.run(wrapped.retrieve("someone")) is None
    strict_storage(type("Agent", (), {"tracker_store": wrapped})())
    with pytest.raises(sa.exc.OperationalError):
        asyncio.run(wrapped.retrieve("someone"))


@pytest.mark.parametrize("language", languages())
def test_the_fault_message_is_in_every_language_with_contacts(language):
    _ = translator(language)
    first, contacts = texts.unavailable({"municipality": "Espoo", "language": language}, _)
    assert first.text.startswith(_(texts.UNAVAILABLE)) and "112" in first.text
    assert language == "en" or _(texts.UNAVAILABLE) != texts.UNAVAILABLE
    assert "infofinland.fi" in contacts.text and "Espoo" in contacts.text
    assert not first.buttons and not contacts.buttons
