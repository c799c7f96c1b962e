"""Built companies kept between runs: a SQLite file, or a `pg_dump -Fc` archive restored with `pg_restore`.

A company is keyed by a hash of the code that builds it (bench/company.py,
bench/bulk.py, the audit chain's canonical form, the notes its text comes
from), its shape, its size and the database kind; a change to one of them
builds it anew. A company cached before the schema moved on is brought up to
date the way a customer's database is: the migrations run on it (their
backfills and conversions included), then any `flask rebuild-*` command it
has not had, and it is cached again as it now is. The cache lives in $BENCH_CACHE (default
bench/.cache/, ignored by git).
"""

import hashlib
import json
import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BUILDER_SOURCES = ["bench/company.py", "bench/bulk.py", "app/audit/chain.py", "app/demo/notes.py"]


def cache_dir() -> Path:
    folder = Path(os.environ.get("BENCH_CACHE", "").strip() or ROOT / "bench" / ".cache")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def migration_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(ROOT / "migrations")).get_current_head() or "none"


def rebuild_commands(app) -> list[str]:
    """The app's `flask rebuild-*` commands: derived data (rollups) the services keep beside the rows."""
    return sorted(name for name in app.cli.commands if name.startswith("rebuild-"))


def cache_key(kind: str, shape: str, size: int) -> str:
    digest = hashlib.sha256()
    for source in BUILDER_SOURCES:
        path = ROOT / source
        digest.update(source.encode() + b"\0" + (path.read_bytes() if path.exists() else b"") + b"\0")
    digest.update(json.dumps([kind, shape, size]).encode())
    return digest.hexdigest()[:16]


@dataclass
class Company:
    """A company ready to measure, and how it came to be: built now (with the time it took) or restored."""

    counts: dict
    built_at: str
    build_seconds: float
    restored_seconds: float | None
    cache_file: Path
    cache_bytes: int


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def finish(app, progress, label: str, names: list[str] | None = None) -> None:
    """Make derived data consistent with the rows, as the services would have kept it (every `flask rebuild-*`
    command, or those named)."""
    for name in rebuild_commands(app) if names is None else names:
        started = time.monotonic()
        result = app.test_cli_runner().invoke(args=[name])
        if result.exit_code != 0:
            raise RuntimeError(f"flask {name} failed on {label}: {result.output}")
        progress(f"  {label}: flask {name} in {time.monotonic() - started:.1f}s")


def vacuum_analyze(engine: sa.Engine) -> None:
    """Gather statistics and set the visibility map, as in a database in steady state."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def migrate(app, progress, label: str) -> None:
    from flask_migrate import upgrade

    logging.disable(logging.INFO)  # the migrations' progress lines
    try:
        started = time.monotonic()
        upgrade()
    finally:
        logging.disable(logging.NOTSET)
    progress(f"  {label}: migrated to {migration_head()} in {time.monotonic() - started:.1f}s")


def dump(kind: str, url: str, sqlite_path: Path | None, archive: Path) -> None:
    partial = archive.with_suffix(archive.suffix + ".partial")
    if kind == "SQLite":
        shutil.copyfile(sqlite_path, partial)
    else:
        subprocess.run(["pg_dump", "--format", "custom", "--file", str(partial), libpq_url(url)], check=True,
                       capture_output=True)
    partial.replace(archive)


def prepare(app, kind: str, shape, size: int, progress, sqlite_path: Path | None = None) -> Company:
    """Fill the app's (empty) database with the company: restored from the cache, or built and then cached.

    A restored company whose schema or derived data is older than the code is migrated and rebuilt
    (see the module's docstring), and cached again as it now is.
    """
    from app.extensions import db
    from bench.company import build_company

    label = f"{kind}, {shape.name}, {size:,} loops"
    stem = cache_dir() / f"{shape.name}-{size}-{kind.lower()}-{cache_key(kind, shape.name, size)}"
    archive = stem.with_suffix(".sqlite" if kind == "SQLite" else ".dump")
    meta_path = stem.with_suffix(".json")
    state = {"migration_head": migration_head(), "commands": rebuild_commands(app)}
    with app.app_context():
        url = str(db.engine.url.render_as_string(hide_password=False))
        if archive.exists() and meta_path.exists():
            meta = json.loads(meta_path.read_text())
            started = time.monotonic()
            db.engine.dispose()
            if kind == "SQLite":
                shutil.copyfile(archive, sqlite_path)
            else:
                subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--jobs", "2", "--dbname",
                                libpq_url(url), str(archive)], check=True, capture_output=True)
            restored = time.monotonic() - started
            progress(f"  {label}: restored from {archive.name} in {restored:.1f}s "
                     f"(built {meta['built_at']} in {meta['build_seconds']:.0f}s)")
            if {key: meta.get(key) for key in state} != state:
                migrate(app, progress, label)
                finish(app, progress, label, [name for name in state["commands"]
                                              if name not in meta.get("commands", [])])
                vacuum_analyze(db.engine)
                db.session.remove()
                db.engine.dispose()
                dump(kind, url, sqlite_path, archive)
                meta_path.write_text(json.dumps(meta | state))
                restored = time.monotonic() - started
                progress(f"  {label}: brought up to date in {restored:.1f}s, cached again")
            else:
                vacuum_analyze(db.engine)
            return Company(meta["counts"], meta["built_at"], meta["build_seconds"], restored, archive,
                           archive.stat().st_size)
        migrate(app, progress, label)
        started = time.monotonic()
        counts = build_company(db.engine, size, shape)
        progress(f"  {label}: rows written in {time.monotonic() - started:.1f}s "
                 f"({counts['interviews']:,} interviews, {counts['feedback']:,} feedback, "
                 f"{counts['feedback_ratings']:,} ratings, {counts['audit_entries']:,} audit entries)")
        finish(app, progress, label)
        vacuum_analyze(db.engine)
        build_seconds = time.monotonic() - started
        db.session.remove()
        db.engine.dispose()
    dump(kind, url, sqlite_path, archive)
    built_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    meta_path.write_text(json.dumps({"counts": counts, "built_at": built_at, "build_seconds": build_seconds}
                                    | state))
    progress(f"  {label}: built in {build_seconds:.0f}s, cached as {archive.name} "
             f"({archive.stat().st_size / 2**20:.0f} MiB)")
    return Company(counts, built_at, build_seconds, None, archive, archive.stat().st_size)
