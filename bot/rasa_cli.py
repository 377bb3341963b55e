"""Rasa's own command line, with TensorFlow imported only if something really uses it.

``python -m bot.rasa_cli run ...`` / ``... train ...`` is exactly ``rasa run`` /
``rasa train`` (same arguments, same code), except that a few modules are loaded
lazily (``importlib.util.LazyLoader``): Rasa 3.6 imports TensorFlow at start up through
``rasa.utils.train_utils`` even when no component of the model uses it, and
Kotobotti's pipeline has none (config.yml: tokenizers, count vectors, the sentence
model, logistic regression, rules, memoization). Import time of TensorFlow was most of
the Rasa server's cold start and of its resident memory (bench/results.md).

Nothing is stubbed: a lazy module is the real module, executed on the first access to
any of its attributes, so a model that does use TensorFlow (DIET, TED) still works and
just loads it then (tests/test_rasa_cli.py).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

# Imported by Rasa at start, used only by TensorFlow components: loaded on first use.
LAZY_MODULES = frozenset({"tensorflow", "rasa.utils.train_utils"})


class _LazyModule(importlib.util._LazyModule):
    """A lazy module that the import system may look at without loading it.

    Python 3.10 reads ``__spec__`` of a module already in ``sys.modules`` at every further
    ``import`` of it (to see whether it is still initialising): that look alone would load
    the module. Any other attribute loads it, as ``importlib.util.LazyLoader`` does.
    """

    def __getattribute__(self, attr: str) -> object:
        if attr == "__spec__":
            return object.__getattribute__(self, attr)
        return super().__getattribute__(attr)


class _LazyLoader(importlib.util.LazyLoader):
    def exec_module(self, module: ModuleType) -> None:
        super().exec_module(module)
        module.__class__ = _LazyModule


class _LazyFinder(importlib.abc.MetaPathFinder):
    """Finds the modules of ``LAZY_MODULES`` as usual and hands them to a lazy loader."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _LazyLoader(spec.loader)
                return spec
        return None


class _DeferredSchema:
    """A model's training graph schema, read from its serialised form on first use.

    Loading a model for serving reads its training schema too, which names the recipe's
    validator, which imports DIET and TED (TensorFlow) to compare against; serving never
    uses that schema. Any attribute (``nodes``, ``as_dict()``...) gives the real one.
    """

    def __init__(self, serialized: dict) -> None:
        self._serialized = serialized
        self._schema: object | None = None

    def __getattr__(self, name: str) -> object:
        if self._schema is None:
            from rasa.engine.graph import GraphSchema

            self._schema = GraphSchema.from_dict(self._serialized)
        return getattr(self._schema, name)


def _defer_train_schema() -> None:
    import dataclasses

    from rasa.engine.storage.storage import ModelMetadata

    original = ModelMetadata.from_dict

    def from_dict(serialized: dict) -> ModelMetadata:
        metadata = original({**serialized, "train_schema": {"nodes": {}}})
        return dataclasses.replace(metadata, train_schema=_DeferredSchema(serialized["train_schema"]))

    ModelMetadata.from_dict = staticmethod(from_dict)  # type: ignore[method-assign]


def install(names: frozenset[str] = LAZY_MODULES) -> None:
    """Make ``names`` load lazily in this process (before anything imports them).

    skops (which reads the logistic regression) looks through every module in
    ``sys.modules`` when it is imported: it is imported first, so it sees none of ours.
    """
    if any(isinstance(f, _LazyFinder) for f in sys.meta_path):
        return
    import skops.io  # noqa: F401 - imported for the order, see above

    sys.meta_path.insert(0, _LazyFinder(names))
    _defer_train_schema()


def loaded(name: str) -> bool:
    """Whether a module has really been executed (not merely imported lazily)."""
    module = sys.modules.get(name)
    return module is not None and not isinstance(module, importlib.util._LazyModule)


def main(argv: list[str] | None = None) -> int:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
