"""The PKI kept in the object store, so every app node signs with the same CA and TSA.

When CONVSIGN_PKI_DIRECTORY is not set, the PKI's files (certificates, CA keys sealed under the
instance secret, manifest) are write-once objects `pki/<generation>/<file>`, and the object
`pki/current` names the generation in use. The first node to need a PKI generates one in a
folder of its own, uploads it, then writes `pki/current` once: a node that loses that race
drops its own and takes the winner's. Each node copies the current generation into
`instance/cache/pki-<generation>`, a cache the PKI code reads and that can be lost at any time.

An instance made before this keeps its PKI: files directly under `pki/` in the instance folder
(the file store's root) are generation `legacy`.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from convsign.documents.objects import ObjectStore
from convsign.pki import storage

CURRENT = "pki/current"
LEGACY = "legacy"
MANIFEST = "pki.json"  # convsign.pki.authority._MANIFEST, the commit point of a PKI folder


def generation_prefix(generation: str) -> str:
    """The keys' prefix of one generation."""
    return "pki/" if generation == LEGACY else f"pki/{generation}/"


def current_generation(objects: ObjectStore) -> str | None:
    """The generation in use, or None when the store has no PKI yet."""
    pointer = objects.get(CURRENT)
    if pointer is not None:
        return pointer.decode("ascii").strip()
    if objects.exists("pki/" + MANIFEST):  # made before the PKI moved to the store
        objects.put_once(CURRENT, LEGACY.encode())
        return current_generation(objects)
    return None


def publish(objects: ObjectStore, cache: Path, create: Callable[[Path], None]) -> str:
    """The current generation, creating and uploading one with `create(folder)` if there is none."""
    found = current_generation(objects)
    if found is not None:
        return found
    generation = "g" + secrets.token_hex(8)
    cache.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=cache, prefix=".new-pki-"))
    try:
        create(folder)
        names = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        for name in sorted(names, key=lambda n: n == MANIFEST):  # the manifest last
            objects.put_once(generation_prefix(generation) + name, (folder / name).read_bytes())
        objects.put_once(CURRENT, generation.encode())  # refused if another node was first
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    found = current_generation(objects)
    assert found is not None
    return found


def materialize(objects: ObjectStore, generation: str, cache: Path) -> Path:
    """The generation's files in the node's cache folder (copied once), manifest last."""
    folder = cache / f"pki-{generation}"
    if (folder / MANIFEST).exists():
        return folder
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    prefix = generation_prefix(generation)
    keys = [k for k in objects.keys(prefix) if "/" not in k[len(prefix):] and k != CURRENT]
    for key in sorted(keys, key=lambda k: k.endswith("/" + MANIFEST)):
        data = objects.get(key)
        if data is None:
            raise LookupError(key)
        storage.write_atomic(folder / key[len(prefix):], data, 0o600)
    return folder
