"""The question bank as CSV: export it, and import a company's own bank all or nothing.

Columns: principle, question, probes (one per line within the cell),
strong_evidence, weak_evidence, levels ("L5 L6"; empty suits every level),
status (active or retired; empty means active). Import checks every row and
reports each problem by line and column; it adds nothing unless the whole
file is valid. A row whose question its principle already has is skipped, so
importing a file twice adds it once.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from app.errors import ServiceError
from app.extensions import db
from app.kits.models import Question
from app.kits.services import QuestionError, QuestionInput, add_question, checked, current_texts
from app.people.models import User
from app.permissions.kits import can_curate_questions
from app.principles.models import Principle

COLUMNS = ["principle", "question", "probes", "strong_evidence", "weak_evidence", "levels", "status"]
REQUIRED = {"principle", "question"}
STATUSES = {"": True, "active": True, "retired": False}
MAX_ROWS = 5000
STARTER_BANK = Path(__file__).with_name("starter_bank.csv")
# The CSV column each input field is read from, to point a problem at its column.
FIELD_COLUMNS = {"text": "question", "probes": "probes", "strong_evidence": "strong_evidence",
                 "weak_evidence": "weak_evidence", "levels": "levels"}


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}, column “{self.column}”: {self.message}"


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)


class ImportRefused(ServiceError):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"Nothing was imported: the file has {len(problems)} problem(s).", field="file")
        self.line_problems = problems  # not `problems`: attach_to_form reads that as (field, message) pairs


def export_csv() -> str:
    """Return every question's current version, active and retired, by principle."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    questions = db.session.scalars(
        select(Question).join(Principle).order_by(Principle.position, Principle.id, Question.id)
        .options(selectinload(Question.versions), contains_eager(Question.principle)))
    for question in questions:
        version = question.current
        writer.writerow([_safe(question.principle.name), _safe(version.text), _safe(version.probes),
                         _safe(version.strong_evidence), _safe(version.weak_evidence), version.levels,
                         "active" if question.is_active else "retired"])
    return out.getvalue()


def _safe(value: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _unsafe(value: str) -> str:
    return value[1:] if value[:2] in ("'=", "'+", "'-", "'@") else value


def read_rows(data: bytes) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """Decode and parse the file; return (line number, row) pairs and any problems with the file as a whole."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(1, "file", "The file is not UTF-8 text; save it from your spreadsheet as CSV UTF-8.")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return [], [Problem(1, "file", "The file is empty.")]
        names = [h.strip().lower() for h in header]
        problems = [Problem(1, name or "(blank)", f"Unknown column; the columns are {', '.join(COLUMNS)}.")
                    for name in names if name not in COLUMNS]
        problems += [Problem(1, name, "This column is missing.") for name in sorted(REQUIRED - set(names))]
        if problems:
            return [], problems
        rows = []
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(names):
                problems.append(Problem(line, "file", f"{len(values)} cells where the header has {len(names)}."))
                continue
            rows.append((line, dict(zip(names, values, strict=True))))
            if len(rows) > MAX_ROWS:
                return [], [Problem(line, "file", f"More than {MAX_ROWS} questions; split the file.")]
    except csv.Error as error:
        return [], [Problem(reader.line_num, "file", f"Not readable as CSV ({error}).")]
    return rows, problems


def import_csv(data: bytes, actor: User | None, *, check_actor: bool = True) -> ImportResult:
    """Check every row, then add them all; or add nothing and raise ImportRefused listing each problem."""
    if check_actor and (actor is None or not can_curate_questions(actor)):
        raise QuestionError("Only admins and certified bar raisers curate the question bank.")
    rows, problems = read_rows(data)
    principles = {name.lower(): p for name, p in
                  ((p.name, p) for p in db.session.scalars(select(Principle)))}
    ready, seen = [], {}
    for line, row in rows:
        principle = principles.get(" ".join(row.get("principle", "").split()).lower())
        if principle is None:
            problems.append(Problem(line, "principle", f"No principle is called “{row.get('principle', '')}”."))
        status = row.get("status", "").strip().lower()
        if status not in STATUSES:
            problems.append(Problem(line, "status", "Write active or retired (or leave it empty)."))
        try:
            data_in = checked(QuestionInput(*(_unsafe(row.get(c, "")) for c in
                                              ("question", "probes", "strong_evidence", "weak_evidence", "levels"))))
        except QuestionError as error:
            problems.append(Problem(line, FIELD_COLUMNS.get(error.field, "question"), error.message))
            continue
        if principle is None or status not in STATUSES:
            continue
        key = (principle.id, data_in.text.lower())
        if key in seen:
            problems.append(Problem(line, "question", f"The same question as line {seen[key]}."))
            continue
        seen[key] = line
        ready.append((principle, data_in, STATUSES[status]))
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.line, COLUMNS.index(p.column)
                                                           if p.column in COLUMNS else -1)))
    result = ImportResult()
    existing = {(principle_id, text.lower()) for principle_id, text, _ in db.session.execute(current_texts())}
    for principle, data_in, active in ready:
        if (principle.id, data_in.text.lower()) in existing:
            result.skipped += 1
            continue
        add_question(principle, data_in, actor, active=active, check_actor=False)
        result.added += 1
    return result


def import_starter_bank(actor: User | None, *, check_actor: bool = True) -> ImportResult:
    """Import the bank the project ships (app/kits/starter_bank.csv)."""
    return import_csv(STARTER_BANK.read_bytes(), actor, check_actor=check_actor)


def bank_size() -> int:
    return db.session.scalar(select(func.count()).select_from(Question)) or 0
