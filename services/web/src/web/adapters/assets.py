"""Static files served under content-hashed names: cached for a year, replaced by a new name."""

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

#: Logical name → where the file comes from (relative to node_modules, or to ``static/``).
NPM_ASSETS = {
    "htmx.js": "htmx.org/dist/htmx.min.js",
    "sse.js": "htmx-ext-sse/dist/sse.min.js",
    "pico.css": "@picocss/pico/css/pico.min.css",
}


@dataclass(frozen=True)
class Asset:
    """One file: its hashed name, bytes, media type."""

    name: str
    body: bytes
    media_type: str

    @property
    def gzipped_size(self) -> int:
        """Its weight on the wire when compressed."""
        return len(gzip.compress(self.body))


class Assets:
    """Every asset, by logical name and by hashed file name."""

    def __init__(self, files: dict[str, Path]) -> None:
        self._by_logical: dict[str, Asset] = {}
        self._by_name: dict[str, Asset] = {}
        for logical, path in files.items():
            body = path.read_bytes()
            stem, dot, suffix = logical.rpartition(".")
            digest = hashlib.sha256(body).hexdigest()[:12]
            name = f"{stem}.{digest}{dot}{suffix}"
            media = mimetypes.guess_type(logical)[0] or "application/octet-stream"
            asset = Asset(name, body, media)
            self._by_logical[logical] = asset
            self._by_name[name] = asset

    @classmethod
    def load(cls, node_modules: Path, static: Path) -> "Assets":
        """The npm packages' files and the client's own ``static/`` folder."""
        files = {logical: node_modules / source for logical, source in NPM_ASSETS.items()}
        missing = [str(path) for path in files.values() if not path.is_file()]
        if missing:
            raise FileNotFoundError(
                "browser assets are missing (run `npm ci` in services/web): " + ", ".join(missing)
            )
        for path in sorted(static.iterdir()):
            if path.is_file() and path.name != "sw.js":
                files[path.name] = path
        return cls(files)

    def url(self, logical: str) -> str:
        """``/static/htmx.3f2a….js`` for ``htmx.js``."""
        return f"/static/{self._by_logical[logical].name}"

    def by_name(self, name: str) -> Asset | None:
        """The asset a hashed URL names."""
        return self._by_name.get(name)

    def logical(self, logical: str) -> Asset:
        """The asset under its logical name."""
        return self._by_logical[logical]
