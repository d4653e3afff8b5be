"""Staging for segmented exports: where the client, the workers, segment files and media meet.

``staging=`` of :func:`reelforge.distributed.export` is one of

* a **shared folder** (a path): seen by the client and every worker under the same name (NFS,
  a cluster file system, the local disk for a LocalCluster). Files are used in place.
* an **fsspec URL** (``s3://bucket/prefix``, ``gcs://...``, ``file:///mnt/share/x``, ...): every
  file goes through :mod:`fsspec`: workers upload the segments they write and download the media
  they read, the client uploads the media and downloads the segments to join them. ``memory://``
  is refused (each process has its own).

Layout under the staging root::

    media/<sha256><ext>   the scene's media files, content-hashed: uploaded once, reused by later
                          exports (a cache: safe to delete between exports)
    .<name>.segments-*/   one export's segment files and audio, removed when it ends

Media paths in the scene stay what the user wrote; a worker resolves each one to the staged copy
(a shared folder: ``<root>/media/<sha256><ext>`` itself; a URL: a download into a per-machine
cache, ``$REELFORGE_MEDIA_CACHE`` or ``<tmp>/reelforge-media``, checked against its sha256).
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._types import PathLike, SceneLike
from .errors import ReelforgeError, SceneError

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = ["Staging", "open_staging", "media_paths", "with_media_paths", "sha256_file", "MEDIA_FOLDER"]

#: Folder of content-hashed media under the staging root.
MEDIA_FOLDER = "media"


def sha256_file(path: str) -> str:
    """Hex sha256 of the file at ``path``."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Staging:
    """Where one export stages its files (picklable: it travels with each task).

    ``url``: the fsspec URL of the root ("" for a shared folder); ``root``: the folder (shared
    folder) or the path inside the fsspec file system (URL).
    """

    url: str
    root: str

    @property
    def remote(self) -> bool:
        """True when files go through fsspec (a URL), False for a shared folder used in place."""
        return bool(self.url)

    def _fs(self) -> "AbstractFileSystem":
        import fsspec.core
        fs, _ = fsspec.core.url_to_fs(self.url)
        return fs

    def join(self, *parts: str) -> str:
        """A path under the root (in the fsspec file system for a URL)."""
        return "/".join([self.root.rstrip("/"), *parts]) if self.remote else os.path.join(self.root, *parts)

    # -- one export's folder ------------------------------------------------------------------------
    def new_folder(self, prefix: str) -> str:
        """A new, empty folder for one export's files; remove it with :meth:`remove_folder`."""
        if not self.remote:
            return tempfile.mkdtemp(prefix=prefix, dir=self.root)
        folder = self.join(f"{prefix}{uuid.uuid4().hex[:12]}")
        self._fs().makedirs(folder, exist_ok=True)
        return folder

    def remove_folder(self, folder: str) -> None:
        """Remove ``folder`` and what it holds, ignoring errors (cleanup)."""
        if not self.remote:
            shutil.rmtree(folder, ignore_errors=True)
            return
        fs = self._fs()
        try:
            if fs.exists(folder):
                fs.rm(folder, recursive=True)
        except OSError:
            pass

    def publish(self, local: str, folder: str) -> str:
        """Make the finished file ``local`` (written on this machine) available in ``folder``;
        returns its staged path. A shared folder: files are written there directly, so ``local``
        already is that path. A URL: uploaded, and the local file removed."""
        if not self.remote:
            return local
        remote = f"{folder.rstrip('/')}/{os.path.basename(local)}"
        self._fs().put_file(local, remote)
        os.remove(local)
        return remote

    def fetch(self, staged: str, local_dir: str) -> str:
        """A local path of the staged file ``staged`` (downloaded into ``local_dir`` for a URL)."""
        if not self.remote:
            return staged
        local = os.path.join(local_dir, os.path.basename(staged))
        self._fs().get_file(staged, local)
        return local

    # -- media ----------------------------------------------------------------------------------------
    def ship_media(self, paths: list[str]) -> tuple[dict[str, tuple[str, str]], list[str], list[str]]:
        """Put every media file of ``paths`` under ``media/<sha256><ext>`` unless a file of that
        name and size is there already. Returns ``(media, uploaded, reused)``: ``media`` maps each
        path to ``(staged name relative to the root, sha256)``; ``uploaded`` / ``reused`` list the
        paths copied now and those found staged."""
        media: dict[str, tuple[str, str]] = {}
        uploaded: list[str] = []
        reused: list[str] = []
        fs = self._fs() if self.remote else None
        if fs is not None:
            fs.makedirs(self.join(MEDIA_FOLDER), exist_ok=True)
        else:
            os.makedirs(self.join(MEDIA_FOLDER), exist_ok=True)
        for path in dict.fromkeys(paths):
            digest = sha256_file(path)
            name = f"{MEDIA_FOLDER}/{digest}{os.path.splitext(path)[1].lower()}"
            size = os.path.getsize(path)
            target = self.join(*name.split("/"))
            if fs is not None:
                have = fs.exists(target) and fs.size(target) == size
                if not have:
                    fs.put_file(path, target)
            else:
                have = os.path.isfile(target) and os.path.getsize(target) == size
                if not have:  # copy then rename: a reader never sees half a file
                    tmp = f"{target}.{uuid.uuid4().hex[:8]}.part"
                    shutil.copyfile(path, tmp)
                    os.replace(tmp, target)
            (reused if have else uploaded).append(path)
            media[path] = (name, digest)
        return media, uploaded, reused

    def local_media(self, name: str, digest: str) -> str:
        """On a worker: a local path holding the staged media file ``name`` (sha256 ``digest``).
        A shared folder: the staged file itself. A URL: a copy in this machine's media cache
        (downloaded once, checked against ``digest``). Raises ReelforgeError for a mismatch."""
        if not self.remote:
            return self.join(*name.split("/"))
        cache = os.environ.get("REELFORGE_MEDIA_CACHE") or os.path.join(tempfile.gettempdir(), "reelforge-media")
        os.makedirs(cache, exist_ok=True)
        local = os.path.join(cache, os.path.basename(name))
        if os.path.isfile(local):
            return local
        tmp = f"{local}.{uuid.uuid4().hex[:8]}.part"
        try:
            self._fs().get_file(self.join(name), tmp)
            got = sha256_file(tmp)
            if got != digest:
                raise ReelforgeError(f"staged media {self.url}/{name} has sha256 {got}, expected {digest}: "
                                     "it changed after it was staged; delete it and export again")
            os.replace(tmp, local)  # atomic: concurrent workers of one machine agree
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return local


def open_staging(staging: PathLike | None, default_dir: str) -> Staging:
    """The :class:`Staging` of ``staging``: None is ``default_dir`` (a shared folder: right for a
    LocalCluster); a str with ``://`` is an fsspec URL (its folder is created); anything else a
    folder that must exist. Raises SceneError for a missing folder, ``memory://`` or a URL
    fsspec cannot open."""
    if staging is None:
        return Staging("", default_dir)
    text = os.fspath(staging)
    if "://" not in text:
        if not os.path.isdir(text):
            raise SceneError(f"staging folder does not exist: {text!r} (give a folder the client and every "
                             "worker see, or an fsspec URL such as s3://bucket/prefix)")
        return Staging("", os.path.abspath(text))
    try:
        import fsspec.core
    except ImportError as e:  # pragma: no cover - fsspec is a dependency of the distributed extra
        raise SceneError(f"staging={text!r} needs fsspec: pip install 'reelforge[distributed]'") from e
    try:
        fs, root = fsspec.core.url_to_fs(text)
    except (ValueError, ImportError) as e:
        raise SceneError(f"staging={text!r}: fsspec cannot open it ({e}); install the file system's "
                         "package (s3fs, gcsfs, ...) or give a shared folder") from e
    if "memory" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)):
        raise SceneError("staging='memory://...' is private to each process, so workers cannot see it; use a "
                         "shared folder, file:// on shared storage, or an object store (s3://...)")
    try:
        fs.makedirs(root, exist_ok=True)
    except OSError as e:
        raise SceneError(f"staging={text!r}: cannot create {root!r}: {e}") from e
    return Staging(fs.unstrip_protocol(root), root)


def media_paths(scene: SceneLike) -> list[str]:
    """The media files ``scene`` reads (video and image layers, audio clips), in order, once each."""
    from .rescale import ScaledScene
    if isinstance(scene, ScaledScene):
        return media_paths(scene._scene)
    paths = [layer.path for layer in scene.layers if layer.path is not None]
    paths += [clip.path for clip in scene.audio]
    return list(dict.fromkeys(os.fspath(p) for p in paths))


def with_media_paths(scene: SceneLike, mapping: dict[str, str]) -> SceneLike:
    """A shallow copy of ``scene`` whose layers and clips read ``mapping[path]`` instead of
    ``path`` (the others unchanged); ``scene`` itself is not modified."""
    from .rescale import ScaledScene
    if isinstance(scene, ScaledScene):
        return ScaledScene(with_media_paths(scene._scene, mapping), scene.width, scene.height)
    from .loudness import MasteredScene
    if isinstance(scene, MasteredScene):  # compile() reads the wrapped scene's layers and clips
        return MasteredScene(with_media_paths(scene._scene, mapping), scene.master_gain_db, scene.true_peak_db)
    s = copy.copy(scene)
    s.layers = [_repathed(layer, mapping) for layer in scene.layers]
    s.audio = [_repathed(clip, mapping) for clip in scene.audio]
    return s


def _repathed(obj: Any, mapping: dict[str, str]) -> Any:
    path = getattr(obj, "path", None)
    if path is None or path not in mapping:
        return obj
    new = copy.copy(obj)
    new.path = mapping[path]
    return new
