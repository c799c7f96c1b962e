"""A disk cache of rendered reports, keyed by the loop and its report version.

App instances keep no state in process (PRODUCT.md), so rendered PDFs live
in files under the instance folder (or PDF_CACHE_DIR). Each instance's disk
is its own cache: a miss only costs one render. A file is written under a
temporary name and renamed into place, so a reader never sees half a PDF.
The cached PDF is the first rendering of that exact data, generation time
included. A file is named by its key and the fingerprint of the data it was
rendered from (`<key>.<fingerprint>.pdf`), so a hit can name the fingerprint
without gathering the data again, and the file itself stays the signed PDF.
"""

import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

log = logging.getLogger(__name__)
# "<loop id>-v<report version>.<zone>": the loop's id lets erasure find every cached copy of its report.
KEY = re.compile(r"^[0-9]{1,12}-v[0-9]{1,12}\.[A-Za-z0-9_+~-]{1,80}$")
FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_MAX_FILES = 500


@dataclass(frozen=True)
class Cached:
    pdf: bytes
    fingerprint: str


class PdfCache:
    def __init__(self, folder: Path, max_files: int = DEFAULT_MAX_FILES):
        self.folder = folder
        self.max_files = max_files

    @staticmethod
    def root(app: Flask) -> Path:
        return Path(app.config.get("PDF_CACHE_DIR") or os.path.join(app.instance_path, "pdf-cache"))

    @classmethod
    def for_app(cls, app: Flask, layout: str) -> "PdfCache":
        """Return the app's cache for one version of the report's layout (template and CSS)."""
        return cls(cls.root(app) / layout, int(app.config.get("PDF_CACHE_MAX_FILES", DEFAULT_MAX_FILES)))

    @classmethod
    def remove_loop(cls, app: Flask, loop_id: int) -> int:
        """Delete every cached report of one loop, in every layout; return how many files went."""
        removed = 0
        for path in cls.root(app).glob(f"*/{int(loop_id)}-*.pdf"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed

    def paths(self, key: str) -> list[Path]:
        if not KEY.match(key):
            raise ValueError(f"not a report cache key: {key!r}")
        return list(self.folder.glob(f"{key}.*.pdf"))

    def get(self, key: str) -> Cached | None:
        """Return the cached PDF for `key` with its data's fingerprint, or None."""
        for path in self.paths(key):
            fingerprint = path.name[len(key) + 1:-len(".pdf")]
            if not FINGERPRINT.match(fingerprint):
                continue
            try:
                data = path.read_bytes()
                os.utime(path)  # recently used files survive pruning
            except FileNotFoundError:
                continue
            if data:
                return Cached(data, fingerprint)
        return None

    def put(self, key: str, pdf: bytes, fingerprint: str) -> None:
        """Store a PDF under its key and fingerprint atomically; a cache that cannot be written is logged,
        never fatal."""
        if not FINGERPRINT.match(fingerprint):
            raise ValueError(f"not a report fingerprint: {fingerprint!r}")
        others = self.paths(key) if self.folder.exists() else []
        path = self.folder / f"{key}.{fingerprint}.pdf"
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".tmp-", suffix=".pdf", delete=False) as tmp:
                tmp.write(pdf)
            os.replace(tmp.name, path)
            for other in others:  # a render that raced a change: one copy per key
                if other != path:
                    other.unlink(missing_ok=True)
            self.prune()
        except OSError:
            log.warning("could not write the report cache file %s", path, exc_info=True)
            if tmp is not None:
                Path(tmp.name).unlink(missing_ok=True)

    def prune(self) -> None:
        """Keep the most recently used `max_files` reports."""
        entries = [entry for entry in os.scandir(self.folder) if entry.name.endswith(".pdf")
                   and not entry.name.startswith(".")]
        if len(entries) <= self.max_files:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime, reverse=True)
        for entry in entries[self.max_files:]:
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                pass
