"""`python -m bench` (or `make bench`): build synthetic companies, measure the budgets, write bench/RESULTS.md.

Exits 1 when a budget of PRODUCT.md ("Budgets") is missed, and prints which.
Companies: --shapes older,bigger  --sizes 10000,100000  --db sqlite,postgres (a partial run measures a part);
--quick is what CI or a laptop affords (both shapes at 1,000 and 10,000 loops, fewer repeats).
Built companies are cached in $BENCH_CACHE (default bench/.cache/); --build-only fills the cache and stops.
BENCH_DATABASE_URL: a PostgreSQL server and database name prefix the bench may use: it creates (and drops)
databases named <name>_<shape>_<size> there, instead of starting a throwaway server.
"""

import argparse
import logging
import os
import pickle  # nosec B403: only the bench's own saved figures
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bench.report import Run, merge, write_results

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

    def name(self, suffix: str) -> str:
        prefix = self.url.rsplit("/", 1)[1].split("?")[0] if self.given else "bench"
        return f"{prefix}_{suffix}"

    def database(self, suffix: str) -> str:
        """Return the URL of a new empty database <prefix>_<suffix> on the server."""
        name = self.name(suffix)
        self.drop(suffix)
        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(f"CREATE DATABASE {name}"))
        finally:
            engine.dispose()
        return self.url.rsplit("/", 1)[0] + "/" + name

    def drop(self, suffix: str) -> None:
        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS {self.name(suffix)} WITH (FORCE)"))
        finally:
            engine.dispose()

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


QUICK = {"shapes": "older,bigger", "sizes": "1000,10000", "repeats": 10, "pdf_repeats": 5, "seconds": 4,
         "page_seconds": 10}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default="older,bigger", help="company shapes, comma-separated: older, bigger")
    parser.add_argument("--sizes", default="10000,100000", help="loop counts, comma-separated")
    parser.add_argument("--db", default="sqlite,postgres", help="databases, comma-separated: sqlite, postgres")
    parser.add_argument("--quick", action="store_true",
                        help="what CI or a laptop affords: both shapes at 1,000 and 10,000 loops, fewer repeats")
    parser.add_argument("--repeats", type=int, default=20, help="timed requests per page")
    parser.add_argument("--page-seconds", type=float, default=60,
                        help="stop repeating a page after this long (at least 5 timed requests)")
    parser.add_argument("--min-requests", type=int, default=5, help="timed requests a page gets however slow")
    parser.add_argument("--warm-ups", type=int, default=2, help="untimed requests before a page is timed")
    parser.add_argument("--http-skip-over", type=float, default=10,
                        help="pages slower than this many seconds with the test client are not requested again "
                             "over HTTP")
    parser.add_argument("--pdf-repeats", type=int, default=9, help="timed fresh PDF renders")
    parser.add_argument("--seconds", type=float, default=10, help="length of each gunicorn load phase")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections under gunicorn")
    parser.add_argument("--build-only", action="store_true", help="build (or find) the companies in the cache, stop")
    parser.add_argument("--report-only", action="store_true",
                        help="write RESULTS.md again from the figures the last run saved in the cache")
    parser.add_argument("--merge", action="append", default=[], metavar="SAVED",
                        help="with --report-only: add another run's saved figures (its last-run.pickle), e.g. of "
                             "another shape measured elsewhere")
    parser.add_argument("--note", action="append", default=[], help="with --report-only: a note for RESULTS.md")
    parser.add_argument("--skip-postgres", action="store_true", help="the same as --db sqlite")
    args = parser.parse_args(argv)
    if args.quick:
        given = {action.dest for action in parser._actions
                 if any(option in argv for option in action.option_strings)}
        for name, value in QUICK.items():
            if name not in given:
                setattr(args, name, value)
    if args.skip_postgres:
        args.db = "sqlite"
    from bench.company import SHAPES

    args.shape_list = [SHAPES[name.strip()] for name in args.shapes.split(",") if name.strip()]
    args.size_list = sorted(int(size) for size in args.sizes.split(","))
    args.db_list = [{"sqlite": "SQLite", "postgres": "PostgreSQL", "postgresql": "PostgreSQL"}[name.strip().lower()]
                    for name in args.db.split(",") if name.strip()]
    return args


def measure_company(run: Run, backend: str, shape, size: int, args, work: Path, postgres) -> None:
    """Prepare one company (from the cache or built), measure it, and drop its database."""
    from app.extensions import db
    from bench.cache import prepare
    from bench.wsgi import make_app

    suffix = f"{shape.name}_{size}"
    sqlite_path = work / f"bench_{suffix}.db"
    url = f"sqlite:///{sqlite_path}" if backend == "SQLite" else postgres.database(suffix)
    pdf_cache = str(work / "pdf-cache")
    app = make_app(url, PDF_CACHE_DIR=pdf_cache)
    key = (shape.name, backend, size)
    try:
        run.companies[key] = prepare(app, backend, shape, size, progress, sqlite_path)
        if args.build_only:
            return
        from bench.explain import capture_plans
        from bench.load import measure_under_gunicorn
        from bench.measure import measure_pages, measure_pdf, pages, showcase_loop_id

        logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its progress, page by page, on every render
        results = measure_pages(app, args.repeats, args.page_seconds, args.pdf_repeats, progress,
                                args.min_requests, args.warm_ups)
        run.pages[key] = results
        with app.app_context():
            loop_id = showcase_loop_id()
        if backend == "PostgreSQL":
            progress(f"  {backend}, {shape.name}, {size:,} loops: EXPLAIN of each page's statements")
            run.plans[key] = capture_plans(app, pages(loop_id))
        if size == run.sizes[-1]:
            progress(f"  {backend}, {shape.name}, {size:,} loops: the debrief PDF")
            run.pdf[(shape.name, backend)] = measure_pdf(app, args.pdf_repeats, progress)
        progress(f"  {backend}, {shape.name}, {size:,} loops: gunicorn, 2 workers: each page over HTTP, then "
                 f"{args.connections} connections, {args.seconds:.0f} s per route")
        over_http = {name: path for name, path in pages(loop_id).items()
                     if results[name].median < args.http_skip_over * 1000}
        run.http_pages[key], run.throughput[key] = measure_under_gunicorn(url, over_http, loop_id, args, progress)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if backend == "PostgreSQL":
            postgres.drop(suffix)
        sqlite_path.unlink(missing_ok=True)


def saved_run() -> Path:
    from bench.cache import cache_dir

    return cache_dir() / "last-run.pickle"


def save(run: Run) -> None:
    """Keep the figures so far, so a run cut short still leaves what it measured (see --report-only)."""
    saved_run().write_bytes(pickle.dumps(run))


def report(run: Run) -> int:
    missed = write_results(run, ROOT / "bench" / "RESULTS.md")
    progress(f"wrote bench/RESULTS.md in {time.monotonic() - STARTED:.0f}s")
    if missed:
        print("\nBudgets missed:", file=sys.stderr)
        for line in missed:
            print(f"  - {line}", file=sys.stderr)
        return 1
    print("Every budget met.")
    return 0


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.report_only:
        runs = [pickle.loads(path.read_bytes())  # nosec B301: the bench's own files
                for path in [saved_run(), *map(Path, args.merge)]]
        run = merge(runs)
        run.notes += args.note
        return report(run)
    run = Run(sizes=args.size_list, shapes=[shape.name for shape in args.shape_list],
              args={k: v for k, v in vars(args).items() if not k.endswith("_list")})
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    postgres = None
    try:
        if "PostgreSQL" in args.db_list:
            progress("PostgreSQL")
            postgres = Postgres()
            if postgres.url:
                run.versions["PostgreSQL"] = postgres.version()
            else:
                run.notes.append(postgres.note)
                progress(postgres.note)
                args.db_list.remove("PostgreSQL")
        for shape in args.shape_list:
            for backend in args.db_list:
                for size in args.size_list:
                    progress(f"{backend}, the {shape.name} company, {size:,} loops")
                    measure_company(run, backend, shape, size, args, work, postgres)
                    run.seconds = time.monotonic() - STARTED
                    if not args.build_only:
                        save(run)
        if args.build_only:
            progress("companies built and cached")
            return 0
    finally:
        if postgres:
            postgres.stop()
        shutil.rmtree(work, ignore_errors=True)
    return report(run)


if __name__ == "__main__":
    sys.exit(main())
