"""Write a built company's rows fast: COPY on PostgreSQL (psycopg), multi-row INSERTs on SQLite.

Values go through each column's own bind processing (the app's UTC times,
enums, JSON), so the rows read back exactly as if the ORM had written them;
only the per-row round trips of the ORM and of SQLAlchemy's executemany are
skipped.
"""

import sqlalchemy as sa

from app.extensions import db

ORDER = ["org_units", "users", "candidates", "requisitions", "requisition_principles", "loops", "interviews",
         "interview_principles", "feedback", "feedback_ratings", "screen_decisions", "debrief_decisions",
         "final_votes", "loop_references", "offers", "audit_entries", "audit_personal_data"]
SQLITE_VARIABLES = 32766  # SQLite's limit on a statement's parameters since 3.32


def tuples(table: sa.Table, rows: list[dict], dialect) -> tuple[list[str], list[tuple]]:
    """Return the columns the rows name and each row as a tuple of values ready for the driver."""
    given = [column.name for column in table.columns if column.name in rows[0]]
    # Columns the rows leave out get the model's Python-side default, as an ORM or Core insert would give them.
    defaults = {column.name: column.default for column in table.columns
                if column.name not in rows[0] and column.default is not None
                and (column.default.is_scalar or column.default.is_callable)}
    columns = given + list(defaults)
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in columns]
    makers = [(default.arg if default.is_scalar else (lambda d=default: d.arg(None)))
              for default in defaults.values()]
    out = []
    for row in rows:
        values = [row.get(name) for name in given]
        values += [make() if callable(make) else make for make in makers]
        out.append(tuple(value if process is None or value is None else process(value)
                         for value, process in zip(values, processors, strict=True)))
    return columns, out


def copy_rows(connection: sa.Connection, table: sa.Table, columns: list[str], values: list[tuple]) -> None:
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for value in values:
            copy.write_row(value)


def insert_rows(connection: sa.Connection, table: sa.Table, columns: list[str], values: list[tuple]) -> None:
    cursor = connection.connection.driver_connection.cursor()
    per_statement = max(1, min(500, SQLITE_VARIABLES // len(columns)))
    row = "(" + ", ".join("?" * len(columns)) + ")"
    head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
    full = head + ", ".join([row] * per_statement)
    for start in range(0, len(values), per_statement):
        chunk = values[start:start + per_statement]
        statement = full if len(chunk) == per_statement else head + ", ".join([row] * len(chunk))
        cursor.execute(statement, [value for item in chunk for value in item])


def insert_all(connection: sa.Connection, rows) -> None:
    """Insert every table in foreign-key order, seal the submitted feedback, set the chain's head and sequences."""
    metadata = db.metadata
    postgres = connection.dialect.name == "postgresql"
    for name in ORDER:
        data = rows.tables.get(name, [])
        if not data:
            continue
        table = metadata.tables[name]
        columns, values = tuples(table, data, connection.dialect)
        (copy_rows if postgres else insert_rows)(connection, table, columns, values)
    seal_feedback(connection)
    if rows.chain_head:
        length, head = rows.chain_head
        updated = connection.execute(sa.text("UPDATE audit_chain SET length = :n, head_hash = :h WHERE id = 1"),
                                     {"n": length, "h": head}).rowcount
        if not updated:
            connection.execute(sa.text("INSERT INTO audit_chain (id, length, head_hash) VALUES (1, :n, :h)"),
                               {"n": length, "h": head})
    if postgres:
        for name in ORDER:
            if "id" in metadata.tables[name].c and metadata.tables[name].c.id.autoincrement is not False:
                connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                           f"(SELECT coalesce(max(id), 1) FROM {name}))"))


def seal_feedback(connection: sa.Connection) -> None:
    """Submit every feedback marked for it in one statement; ratings were inserted while it was a draft."""
    connection.execute(sa.text(
        "UPDATE feedback SET status = 'submitted', submitted_at = updated_at, version = 1 WHERE version = 0"))
