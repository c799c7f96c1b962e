"""`python -m bench` (or `make bench`): build synthetic companies, measure the budgets, write bench/RESULTS.md.

Exits 1 when a budget of PRODUCT.md ("Budgets") is missed, and prints which.
Options: --sizes 100,1000,10000  --repeats 20  --pdf-repeats 9  --seconds 10
(BENCH_DATABASE_URL: a PostgreSQL database the bench may wipe, instead of a throwaway server.)
"""

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bench.report import Run, write_results

ROOT = Path(__file__).resolve().parent.parent
STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.0f}s] {message}", flush=True)


def driver_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Postgres:
    """A PostgreSQL server for the bench: BENCH_DATABASE_URL, or a throwaway one from .ci/postgres."""

    def __init__(self):
        self.root = None
        self.given = os.environ.get("BENCH_DATABASE_URL", "").strip()
        self.note = ""
        self.url = None
        if self.given:
            self.url = driver_url(self.given)
            return
        env = {**os.environ, "PG_DATABASE": "bench_admin", "PGPORT_TRY": "56432"}
        env.pop("PGROOT", None)
        result = subprocess.run(["bash", str(ROOT / ".ci" / "postgres"), "start"], capture_output=True, text=True,
                                env=env, cwd=ROOT)
        if result.returncode != 0:
            self.note = ("PostgreSQL skipped: no server could be started (" +
                         (result.stderr.strip().splitlines() or ["unknown error"])[-1] + ")")
            return
        values = dict(line.removeprefix("export ").split("=", 1) for line in result.stdout.splitlines()
                      if line.startswith("export "))
        self.root = values["CI_PGROOT"]
        self.url = driver_url(values["TEST_DATABASE_URL"])

    def database(self, name: str) -> str:
        """Return the URL of an empty database: a new one on the throwaway server, or the given one wiped."""
        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                if self.given:
                    connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                    connection.execute(sa.text("CREATE SCHEMA public"))
                    return self.url
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
                connection.execute(sa.text(f"CREATE DATABASE {name}"))
        finally:
            engine.dispose()
        return self.url.rsplit("/", 1)[0] + "/" + name

    def version(self) -> str:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as connection:
                return connection.execute(sa.text("SHOW server_version")).scalar()
        finally:
            engine.dispose()

    def stop(self) -> None:
        if self.root:
            subprocess.run(["bash", str(ROOT / ".ci" / "postgres"), "stop", self.root], capture_output=True,
                           cwd=ROOT)
            self.root = None


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="loop counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=20, help="timed requests per page")
    parser.add_argument("--pdf-repeats", type=int, default=9, help="timed fresh PDF renders")
    parser.add_argument("--seconds", type=float, default=10, help="length of each gunicorn load phase")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections under gunicorn")
    parser.add_argument("--skip-postgres", action="store_true")
    return parser.parse_args(argv)


def measure_backend(run: Run, backend: str, url_for_size, throughput: bool, args, cache: str) -> None:
    from flask_migrate import upgrade

    from app.extensions import db
    from bench.company import build_company
    from bench.load import measure_throughput
    from bench.measure import measure_pages, measure_pdf, showcase_loop_id
    from bench.wsgi import make_app

    sizes = run.sizes
    for size in sizes:
        url = url_for_size(size)
        app = make_app(url, PDF_CACHE_DIR=cache)
        with app.app_context():
            logging.disable(logging.INFO)  # the migrations' progress lines
            try:
                upgrade()
            finally:
                logging.disable(logging.NOTSET)
            started = time.monotonic()
            counts = build_company(db.engine, size)
            run.dataset[(backend, size)] = counts
            progress(f"  {backend}, {size:,} loops: built in {time.monotonic() - started:.1f}s "
                     f"({counts['interviews']:,} interviews, {counts['feedback']:,} feedback, "
                     f"{counts['audit_entries']:,} audit entries, {counts['open loops']} open loops)")
            if db.engine.dialect.name == "postgresql":
                # As a database in steady state: statistics gathered, and the visibility map set, so that
                # autovacuum does not wake up mid-measurement to do this over 200,000 new rows.
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(sa.text("VACUUM ANALYZE"))
        run.pages[(backend, size)] = measure_pages(app, args.repeats, args.pdf_repeats, progress)
        if size == sizes[-1]:
            progress(f"  {backend}, {size:,} loops: the debrief PDF")
            run.pdf[backend] = measure_pdf(app, args.pdf_repeats, progress)
            if throughput:
                with app.app_context():
                    loop_id = showcase_loop_id()
                progress(f"  {backend}, {size:,} loops: gunicorn, 2 workers, {args.connections} connections, "
                         f"{args.seconds:.0f} s per route")
                run.throughput = (backend, measure_throughput(url, loop_id, args.seconds, args.connections,
                                                              progress))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    run = Run(sizes=sizes, args=vars(args))
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    cache = str(work / "pdf-cache")
    postgres = None
    try:
        if not args.skip_postgres:
            progress("starting PostgreSQL")
            postgres = Postgres()
            if postgres.url:
                run.versions["PostgreSQL"] = postgres.version()
            else:
                run.notes.append(postgres.note)
                progress(postgres.note)
        else:
            run.notes.append("PostgreSQL skipped (--skip-postgres).")
        has_postgres = bool(postgres and postgres.url)
        progress("SQLite")
        measure_backend(run, "SQLite", lambda size: f"sqlite:///{work / f'bench_{size}.db'}",
                        not has_postgres, args, cache)
        if has_postgres:
            progress("PostgreSQL")
            measure_backend(run, "PostgreSQL", lambda size: postgres.database(f"bench_{size}"), True, args, cache)
        run.seconds = time.monotonic() - STARTED
        missed = write_results(run, ROOT / "bench" / "RESULTS.md")
    finally:
        if postgres:
            postgres.stop()
        shutil.rmtree(work, ignore_errors=True)
    progress(f"wrote bench/RESULTS.md in {time.monotonic() - STARTED:.0f}s")
    if missed:
        print("\nBudgets missed:", file=sys.stderr)
        for line in missed:
            print(f"  - {line}", file=sys.stderr)
        return 1
    print("Every budget met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
