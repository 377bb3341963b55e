"""Whitespace tokens, with Chinese split into characters.

Chinese is written without spaces, so Rasa's WhitespaceTokenizer makes one token of a
whole sentence and the word features learn nothing from it. Splitting every Han
character into its own token gives the featurizers words to count, with no
pretrained model or dictionary to download (jieba's would be a 20 MB download-free
dictionary, but one more dependency for one language).
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# One Han character, or a run of other word characters.
_WORDS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W\u3400-\u9fff\uf900-\ufaff]+")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class WhitespaceCJKTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer that also splits runs of Han characters into characters."""

    @staticmethod
    def not_supported_languages() -> list[str] | None:
        return None  # Chinese is the point

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return WhitespaceTokenizer.get_default_config()

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        if not _HAN.search(text):
            return super().tokenize(message, attribute)
        # The stock tokenizer's emoji filter drops Han characters, so Chinese (and text
        # mixing Chinese with other words) is tokenized here instead.
        words = _WORDS.findall(text)
        tokens = self._convert_words_to_tokens(words or [text], text)
        return self._apply_token_pattern(tokens)
