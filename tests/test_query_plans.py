"""No page reads a table that grows with the company's history from end to end.

A company of a few thousand loops (the benchmark's builder) is written into
PostgreSQL once and analyzed; every GET page is requested as a person who may
see it, each SELECT it ran is captured with its parameters and explained at
PostgreSQL's default random_page_cost of 4 (set for the EXPLAIN's own
transaction, whatever the server is set to: the pages must hold on a server
left at its defaults), and a sequential scan of a table that grows with history
fails the page. The API and SCIM pages are requested with the
bearer tokens the company is given through the app's own services, and the
company's webhook endpoint has a delivery for every loop. Small catalogues
(principles, org units, users, tokens, endpoints) may be scanned. A GET route
added later fails `test_every_get_route_is_measured_or_excused` until it is
measured here or excused with a reason.
"""

import ipaddress
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import dispose, make_app, reset_postgres
from tests.factories import routes

N_LOOPS = 3000
# Tables whose rows accumulate with every loop the company runs; each is filled by the company built below.
GROWING = frozenset({
    "loops", "interviews", "interview_principles", "feedback", "feedback_ratings", "final_votes",
    "screen_decisions", "debrief_decisions", "loop_references", "offers", "candidates", "requisitions",
    "requisition_principles", "audit_entries", "notifications", "webhook_events", "webhook_deliveries",
    "webhook_attempts", "loop_members", "metric_loop_tallies", "metric_rollups", "metric_readable_counts",
})
# The metrics pages move onto rollup tables on another branch; their statements are explained and listed,
# but not held to the rule here. Remove this set once the rollups are merged.
PENDING_ROLLUPS = frozenset()
# A scan the planner is right to choose, by (endpoint, table), and why.
ALLOWED_SCANS = {
    ("admin.edit_principle", table): "asks whether a catalogue principle is in use: an EXISTS that stops at the "
    "first row naming it, met within the first few rows for a principle in use (an unused one is estimated from "
    "the statistics and looked up by its index)"
    for table in ("requisition_principles", "interview_principles", "feedback_ratings")
} | {
    (endpoint, "requisitions"): "looks requisitions up by key only (the filter's open and last-twelve-months "
    "requisitions, and the open loops' requisitions); at a few hundred requisitions reading the table whole is "
    "cheaper than its primary key, which the planner takes as the table grows (bench/RESULTS.md's plans)"
    for endpoint in ("metrics.index", "metrics.interviewers", "metrics.table_csv", "metrics.interviewer")
} | {
    ("loops.index", "requisitions"): "looks requisitions up by key only (the filter's choices: the requisitions of "
    "the viewer's latest 300 loops, a hundred or so of the few hundred this company has); reading the table "
    "whole is cheaper than its primary key at this size, and the key is taken as the table grows",
}
# Pages that still read a person's or the company's whole history, each with the change it needs; none today.
# The test fails when one of them stops scanning, so the entry is removed.
KNOWN_SCANS: dict[str, str] = {}
# GET routes not measured, and why.
EXCUSED = {
    "static": "serves files from disk, no SQL",
    "main.healthz": "SELECT 1",
    "auth.login": "the sign-in form reads no table",
    "auth.oidc_start": "answers 404 without a configured identity provider, before any query; with one it reads "
    "no table (it redirects to the provider)",
    "auth.oidc_callback": "answers 404 without a configured identity provider; with one it looks a person up by "
    "the indexed subject or e-mail, one row",
    "audit.export": "exports the whole audit trail on purpose (an admin's download of every entry), streamed",
    "kits.export": "exports the whole question bank on purpose (a curator's download); the bank is a catalogue",
}


@dataclass(frozen=True)
class Page:
    name: str
    endpoint: str
    role: str
    url: str
    status: int = 200
    cache: str = ""  # for the PDF: "empty" renders it, "warm" serves it from the cache
    bearer: str = ""  # requested with this token ("api" or "scim") instead of signing in as `role`
    second_page: bool = False  # the first page is requested unmeasured, then its `next` link is measured


@dataclass
class Company:
    app: object
    emails: dict
    ids: dict
    pages: list
    tokens: dict


def add_notifications(connection) -> None:
    """Give the outbox the history a company this old has: one sent e-mail per interview assigned."""
    connection.execute(sa.text(
        "INSERT INTO notifications (kind, recipient_id, loop_id, interview_id, dedupe_key, status, attempts, "
        "created_at, sent_at) SELECT 'interview_assigned', interviewer_id, loop_id, id, 'assigned-' || id, "
        "'sent', 1, created_at, created_at FROM interviews"))


def add_webhook_history(connection, endpoint_id: int) -> None:
    """Give an endpoint the history a company this old has: each loop's creation, delivered at the first try."""
    connection.execute(sa.text(
        "INSERT INTO webhook_events (type, payload, created_at) SELECT 'loop.created', "
        "'{\"loop_id\": ' || id || '}', created_at FROM loops ORDER BY id"))
    connection.execute(sa.text(
        "INSERT INTO webhook_deliveries (message_id, event_id, endpoint_id, status, attempts, next_attempt_at, "
        "last_status_code, delivered_at, created_at) SELECT 'msg_plans_' || id, id, :endpoint, 'delivered', 1, "
        "created_at, 200, created_at, created_at FROM webhook_events"), {"endpoint": endpoint_id})
    connection.execute(sa.text(
        "INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, duration_ms) "
        "SELECT id, created_at, 200, 40 FROM webhook_deliveries"))


def issue_tokens(ids: dict) -> dict:
    """Through the app's own services: the recruiter's API token, a provisioning token, the busy
    interviewer's calendar feed and a webhook endpoint; return the secrets (the endpoint's id goes in ids)."""
    from app.api.services import create_token as api_token
    from app.db_types import utcnow
    from app.interviews.feeds import issue_feed
    from app.people.models import User
    from app.scim.services import create_token as scim_token
    from app.webhooks.models import EventType
    from app.webhooks.services import create_endpoint

    admin = db.session.scalar(sa.select(User).where(User.email == "admin@bench.test"))
    recruiter = db.session.get(User, ids["recruiter"])
    _, api = api_token(recruiter, name="Query plans", scope="read", expires_at=utcnow() + timedelta(days=30))
    _, scim = scim_token(admin)
    ids["calendar_token"] = issue_feed(db.session.get(User, ids["busy_interviewer"]))
    endpoint, _ = create_endpoint(admin, url="http://127.0.0.1:9/hook", description="Query plans",
                                  events=[event.value for event in EventType])
    ids["endpoint"] = endpoint.id
    db.session.commit()
    return {"api": api, "scim": scim}


def set_retention(ids: dict) -> None:
    """Through the app's own service: a default policy of a year, so the years before it are due for erasure
    (nobody here was ever erased); the second page of the due list starts where the first ended."""
    from app.people.models import User
    from app.retention.models import KEEP_COLUMNS
    from app.retention.rules import DUE_PAGE
    from app.retention.services import set_policy

    admin = db.session.scalar(sa.select(User).where(User.email == "admin@bench.test"))
    set_policy(admin, scope="default", days={status: 365 for status in KEEP_COLUMNS})
    db.session.commit()
    erase_on, candidate_id = db.session.execute(sa.text(
        "SELECT erase_on, candidate_id FROM retention_dates WHERE erase_on IS NOT NULL "
        "ORDER BY erase_on, candidate_id LIMIT 1 OFFSET :n"), {"n": DUE_PAGE - 1}).one()
    ids["retention_later"] = f"due_after={quote(erase_on.isoformat())}&due_candidate={candidate_id}"


def one(connection, sql: str, **params):
    value = connection.execute(sa.text(sql), params).scalar()
    assert value is not None, sql
    return value


def find_ids(connection) -> dict:
    """Pick the loops, people and rows the pages are requested for."""
    ids = {}
    recruiter = ids["recruiter"] = one(connection, "SELECT id FROM users WHERE email = 'recruiter@bench.test'")
    ids["showcase"] = one(connection, "SELECT max(id) FROM loops")  # written last, at the debrief
    ids["emails"] = {}
    for step in range(2, 9):
        # The open pipeline is small: the loop at a step may be another recruiter's, who then asks for it.
        ids[f"open_step_{step}"], ids["emails"][f"recruiter_step_{step}"] = connection.execute(sa.text(
            "SELECT l.id, u.email FROM loops l JOIN users u ON u.id = l.recruiter_id WHERE l.status = 'open' "
            "AND l.step = :step ORDER BY l.recruiter_id <> :r, l.id DESC LIMIT 1"),
            {"step": step, "r": recruiter}).one()
    ids["hired"] = one(connection, "SELECT max(id) FROM loops WHERE status = 'hired' AND recruiter_id = :r",
                       r=recruiter)
    ids["not_hired"] = one(connection, "SELECT max(id) FROM loops WHERE status = 'not_hired' AND recruiter_id = :r",
                           r=recruiter)
    ids["rejected"] = one(connection, "SELECT max(id) FROM loops WHERE status = 'rejected' AND recruiter_id = :r",
                          r=recruiter)
    showcase = ids["showcase"]
    ids["interview"], ids["interviewer"] = connection.execute(sa.text(
        "SELECT i.id, i.interviewer_id FROM interviews i JOIN loops l ON l.id = i.loop_id "
        "WHERE i.loop_id = :loop AND i.kind = 'in_house' AND i.interviewer_id <> l.bar_raiser_id "
        "ORDER BY i.id LIMIT 1"), {"loop": showcase}).one()
    ids["candidate"] = one(connection, "SELECT candidate_id FROM loops WHERE id = :loop", loop=showcase)
    ids["requisition"] = one(connection, "SELECT requisition_id FROM loops WHERE id = :loop", loop=showcase)
    ids["unit"] = one(connection, "SELECT org_unit_id FROM requisitions WHERE id = :r", r=ids["requisition"])
    ids["principle"] = one(connection, "SELECT min(principle_id) FROM requisition_principles WHERE "
                                       "requisition_id = :r", r=ids["requisition"])
    ids["trainee"] = one(connection, "SELECT min(id) FROM users WHERE certification = 'in_training'")
    ids["shadow"] = one(connection, "SELECT id FROM users WHERE email = 'shadow0@bench.test'")
    ids["busy_interviewer"] = one(connection, "SELECT interviewer_id FROM interviews GROUP BY interviewer_id "
                                              "ORDER BY count(*) DESC, interviewer_id LIMIT 1")
    ids["emails"]["interviewer"] = one(connection, "SELECT email FROM users WHERE id = :iv", iv=ids["interviewer"])
    return ids


def pages_for(ids: dict) -> list[Page]:
    """Every GET page, as someone who may see it, at several steps and with each filter."""
    loop, interview = ids["showcase"], ids["interview"]
    pages = [Page(f"home as {role}", "main.home", role, "/")
             for role in ("admin", "recruiter", "hm", "br", "iv", "shadow", "busy")]
    # The recruiter of a loop at the offer step: the home page looks its offers up.
    pages.append(Page("home at the offer step", "main.home", "recruiter_step_8", "/"))
    pages += [
        Page("loop list", "loops.index", "recruiter", "/loops/"),
        Page("loop list, all statuses", "loops.index", "recruiter", "/loops/?status=all"),
        Page("loop list, hired, page 2", "loops.index", "recruiter", "/loops/?status=hired&page=2"),
        Page("loop list, closed as not hired", "loops.index", "hm", "/loops/?status=not_hired"),
        Page("loop list by step", "loops.index", "recruiter", "/loops/?status=all&step=4"),
        Page("loop list by requisition", "loops.index", "recruiter",
             f"/loops/?status=all&requisition={ids['requisition']}"),
        Page("loop list by org unit", "loops.index", "recruiter", f"/loops/?status=all&org_unit={ids['unit']}"),
        Page("loop list by person", "loops.index", "recruiter",
             f"/loops/?status=all&person={ids['busy_interviewer']}"),
        Page("loop list as an interviewer", "loops.index", "busy", "/loops/?status=all"),
        Page("loop list export", "metrics.export_loops", "recruiter", "/loops/export.csv"),
        Page("loop list export, all statuses", "metrics.export_loops", "recruiter", "/loops/export.csv?status=all"),
        Page("new loop", "loops.new", "recruiter", "/loops/new"),
        Page("new loop, a candidate found", "loops.new", "recruiter", "/loops/new?candidate_q=Okafor"),
        Page("new loop for a candidate", "loops.new", "recruiter",
             f"/loops/new?candidate_id={ids['candidate']}&requisition_id={ids['requisition']}"),
    ]
    for step in range(2, 9):
        pages.append(Page(f"loop page at step {step}", "loops.show", f"recruiter_step_{step}",
                          f"/loops/{ids[f'open_step_{step}']}"))
    for status in ("hired", "not_hired", "rejected"):
        pages.append(Page(f"loop page, {status}", "loops.show", "recruiter", f"/loops/{ids[status]}"))
    pages += [
        Page("loop page as its bar raiser", "loops.show", "br", f"/loops/{loop}"),
        Page("loop page as an interviewer", "loops.show", "iv", f"/loops/{loop}"),
        Page("loop history", "loops.history", "recruiter", f"/loops/{ids['hired']}/history"),
        Page("loop people", "loops.people", "recruiter", f"/loops/{loop}/people"),
        Page("close a loop", "loops.close", "recruiter", f"/loops/{loop}/close"),
        Page("debrief page", "debrief.show", "br", f"/loops/{loop}/debrief"),
        Page("debrief page as the recruiter", "debrief.show", "recruiter", f"/loops/{loop}/debrief"),
        Page("debrief page, decided", "debrief.show", "recruiter", f"/loops/{ids['hired']}/debrief"),
        Page("the bar raiser's summary", "debrief.summary_page", "br", f"/loops/{loop}/debrief/summary"),
        Page("loop feedback", "feedback.loop_feedback", "recruiter", f"/loops/{loop}/feedback"),
        Page("write feedback", "feedback.write", "iv", f"/loops/{loop}/interviews/{interview}/feedback"),
        Page("interview kit", "kits.kit", "iv", f"/loops/{loop}/interviews/{interview}/kit"),
        Page("calendar invitation", "interviews.calendar", "iv", f"/loops/{loop}/interviews/{interview}.ics"),
        Page("debrief PDF, rendered", "reports.debrief_pdf", "recruiter", f"/loops/{ids['hired']}/debrief.pdf",
             cache="empty"),
        Page("debrief PDF, from the cache", "reports.debrief_pdf", "recruiter",
             f"/loops/{ids['hired']}/debrief.pdf", cache="warm"),
        Page("debrief PDF at the debrief", "reports.debrief_pdf", "br", f"/loops/{loop}/debrief.pdf"),
        Page("candidates", "candidates.index", "recruiter", "/candidates/"),
        Page("candidates, searched", "candidates.index", "recruiter", "/candidates/?q=Okafor"),
        Page("candidates, searched by e-mail", "candidates.index", "recruiter", "/candidates/?q=candidate12"),
        Page("candidates, two characters", "candidates.index", "recruiter", "/candidates/?q=ok"),
        Page("candidate", "candidates.show", "recruiter", f"/candidates/{ids['candidate']}"),
        Page("edit a candidate", "candidates.edit", "recruiter", f"/candidates/{ids['candidate']}/edit"),
        Page("candidate export", "candidates.export", "recruiter", f"/candidates/{ids['candidate']}/export.zip"),
        Page("candidate résumé (a link, no file)", "candidates.resume", "recruiter",
             f"/candidates/{ids['candidate']}/resume.pdf", status=404),
        Page("new candidate", "candidates.new", "recruiter", "/candidates/new"),
        Page("requisitions", "requisitions.index", "recruiter", "/requisitions/"),
        Page("requisitions as a hiring manager", "requisitions.index", "hm", "/requisitions/"),
        Page("requisition", "requisitions.show", "recruiter", f"/requisitions/{ids['requisition']}"),
        Page("new requisition", "requisitions.new", "recruiter", "/requisitions/new"),
        Page("program", "program.index", "admin", "/program"),
        Page("program as a bar raiser", "program.index", "br", "/program"),
        Page("program as a trainee (to their own page)", "program.index", "shadow", "/program", status=302),
        Page("program person", "program.person", "admin", f"/program/people/{ids['trainee']}"),
        Page("program person, their own", "program.person", "shadow", f"/program/people/{ids['shadow']}"),
        Page("program person, a certified bar raiser", "program.person", "admin",
             f"/program/people/{ids['bar_raiser']}"),
        Page("question bank", "kits.bank", "admin", "/question-bank/"),
        Page("question bank, retired", "kits.bank", "admin", "/question-bank/?show=retired"),
        Page("new question", "kits.new_question", "admin", "/question-bank/new"),
        Page("a question", "kits.question", "admin", f"/question-bank/{ids['question']}"),
        Page("import questions", "kits.import_bank", "admin", "/question-bank/import"),
        Page("audit trail", "audit.index", "admin", "/admin/audit/"),
        Page("audit trail of a loop", "audit.index", "admin", f"/admin/audit/?loop={loop}"),
        Page("admin", "admin.index", "admin", "/admin/", status=302),  # to the users
        Page("users", "admin.users", "admin", "/admin/users"),
        Page("edit a user", "admin.edit_user", "admin", f"/admin/users/{ids['interviewer']}"),
        Page("new user", "admin.new_user", "admin", "/admin/users/new"),
        Page("org units", "admin.org_unit_list", "admin", "/admin/org-units"),
        Page("edit an org unit", "admin.edit_org_unit", "admin", f"/admin/org-units/{ids['unit']}"),
        Page("principles", "admin.principles", "admin", "/admin/principles"),
        Page("edit a principle", "admin.edit_principle", "admin", f"/admin/principles/{ids['principle']}"),
        Page("failed jobs", "admin.jobs", "admin", "/admin/jobs"),
        Page("retention", "retention.index", "admin", "/admin/retention/"),
        Page("retention, due later", "retention.index", "admin", f"/admin/retention/?{ids['retention_later']}"),
        Page("reschedule an interview", "interviews.reschedule", "recruiter",
             f"/loops/{loop}/interviews/{interview}/reschedule"),
        Page("calendar subscription", "calendar.account", "busy", "/account/calendar"),
        Page("calendar feed", "calendar.feed", "busy", f"/calendar/{ids['calendar_token']}.ics"),
        Page("account", "account.show", "busy", "/account/"),
        Page("personal chat", "webhooks.personal_chat", "iv", "/account/chat"),
        Page("requisition chat", "webhooks.requisition_chat", "requisition_hm",
             f"/requisitions/{ids['requisition']}/chat"),
        Page("webhook endpoints", "webhooks.endpoints", "admin", "/admin/webhooks/"),
        Page("new webhook endpoint", "webhooks.new_endpoint", "admin", "/admin/webhooks/new"),
        Page("edit a webhook endpoint", "webhooks.edit_endpoint", "admin", f"/admin/webhooks/{ids['endpoint']}"),
        Page("webhook deliveries", "webhooks.deliveries", "admin", f"/admin/webhooks/{ids['endpoint']}/deliveries"),
        Page("provisioning tokens", "scim_admin.index", "admin", "/admin/scim/"),
    ]
    scim = [
        ("SCIM users", "scim.users", "/scim/v2/Users"),
        ("SCIM users, a later page", "scim.users", "/scim/v2/Users?startIndex=1001&count=50"),
        ("SCIM users by userName", "scim.users",
         "/scim/v2/Users?filter=" + quote(f'userName eq "{ids["emails"].get("interviewer", "x@bench.test")}"')),
        ("SCIM users by externalId", "scim.users", "/scim/v2/Users?filter=" + quote('externalId eq "hr-000123"')),
        ("SCIM user", "scim.user", f"/scim/v2/Users/{ids['interviewer']}"),
        ("SCIM service provider config", "scim.service_provider_config", "/scim/v2/ServiceProviderConfig"),
        ("SCIM resource types", "scim.resource_types", "/scim/v2/ResourceTypes"),
        ("SCIM resource type", "scim.resource_type", "/scim/v2/ResourceTypes/User"),
        ("SCIM schemas", "scim.schemas_index", "/scim/v2/Schemas"),
        ("SCIM schema", "scim.schema", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"),
    ]
    pages += [Page(name, endpoint, "idp", url, bearer="scim") for name, endpoint, url in scim]
    pages.append(Page("SCIM, no such resource", "scim.elsewhere", "idp", "/scim/v2/Groups", status=404,
                      bearer="scim"))
    api = [
        ("API requisitions", "api_requisitions.list_requisitions", "/api/v1/requisitions"),
        ("API requisition", "api_requisitions.get_requisition", f"/api/v1/requisitions/{ids['requisition']}"),
        ("API candidates", "api_candidates.list_candidates", "/api/v1/candidates"),
        ("API candidates by external id", "api_candidates.list_candidates",
         "/api/v1/candidates?external_id=ats-000123"),
        ("API candidates by e-mail", "api_candidates.list_candidates",
         "/api/v1/candidates?email=" + quote(ids.get("candidate_email", "x@bench.test"))),
        ("API candidate", "api_candidates.get_candidate", f"/api/v1/candidates/{ids['candidate']}"),
        ("API loops", "api_loops.list_loops", "/api/v1/loops"),
        ("API loop", "api_loops.get_loop", f"/api/v1/loops/{loop}"),
        ("API loop outcome", "api_loops.get_outcome", f"/api/v1/loops/{ids['hired']}/outcome"),
        ("API interviews of a loop", "api_interviews.list_interviews", f"/api/v1/loops/{loop}/interviews"),
        ("API interview", "api_interviews.get_interview", f"/api/v1/loops/{loop}/interviews/{interview}"),
        ("API description", "api_docs.openapi_json", "/api/v1/openapi.json"),
        ("API reference", "api_docs.reference", "/api/v1/docs"),
    ]
    pages += [Page(name, endpoint, "recruiter", url, bearer="api") for name, endpoint, url in api]
    pages += [Page("API candidates, page 2", "api_candidates.list_candidates", "recruiter", "/api/v1/candidates",
                   bearer="api", second_page=True),
              Page("API loops, page 2", "api_loops.list_loops", "recruiter", "/api/v1/loops", bearer="api",
                   second_page=True)]
    year_ago = (datetime.now(UTC).date().replace(day=1)).isoformat()
    metrics = [("metrics, last 12 months", f"/metrics?date_from={year_ago}"),
               ("metrics, all time", "/metrics?date_from="),
               ("metrics by org unit", f"/metrics?date_from=&org_unit={ids['unit']}"),
               ("metrics by requisition", f"/metrics?date_from=&requisition={ids['requisition']}"),
               ("metrics by bar raiser", f"/metrics?date_from=&bar_raiser={ids['bar_raiser']}"),
               ("metrics table", "/metrics/funnel.csv?date_from="),
               ("interviewer metrics, last 12 months", f"/metrics/interviewers?date_from={year_ago}"),
               ("interviewer metrics, all time", "/metrics/interviewers?date_from="),
               ("interviewer metrics by org unit", f"/metrics/interviewers?date_from=&org_unit={ids['unit']}"),
               ("interviewer metrics by requisition",
                f"/metrics/interviewers?date_from=&requisition={ids['requisition']}"),
               ("interviewer table", "/metrics/calibration.csv?date_from="),
               ("metrics of an interviewer", f"/metrics/interviewers/{ids['busy_interviewer']}")]
    for name, url in metrics:
        endpoint = ("metrics.table_csv" if ".csv" in url else
                    "metrics.interviewer" if "interviewers/" in url else
                    "metrics.interviewers" if "interviewers" in url else "metrics.index")
        pages.append(Page(name, endpoint, "recruiter", url))
    return pages


@pytest.fixture(scope="module")
def company(postgres_url, tmp_path_factory):
    """Build the company once for the module: about three years of history, analyzed."""
    from bench.cache import finish
    from bench.company import build_company

    url, principles = postgres_url
    reset_postgres(url, principles)
    app = make_app(url, tmp_path_factory.mktemp("plans"),
                   WEBHOOK_ALLOWED_HOSTS=(frozenset(), (ipaddress.ip_network("127.0.0.1/32"),)))
    with app.app_context():
        build_company(db.engine, N_LOOPS)
        finish(app, progress=lambda message: None, label="the plans' company")
        from app.kits.csv_io import import_starter_bank

        import_starter_bank(None, check_actor=False)
        db.session.commit()
        with db.engine.begin() as connection:
            add_notifications(connection)
            ids = find_ids(connection)
            ids["candidate_email"] = one(connection, "SELECT email FROM candidates WHERE id = :c", c=ids["candidate"])
            ids["emails"]["requisition_hm"] = one(connection, "SELECT u.email FROM requisitions r JOIN users u "
                                                 "ON u.id = r.hiring_manager_id WHERE r.id = :r", r=ids["requisition"])
        tokens = issue_tokens(ids)
        set_retention(ids)
        with db.engine.begin() as connection:
            add_webhook_history(connection, ids["endpoint"])
            counts = {t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in GROWING}
            ids["question"] = one(connection, "SELECT min(id) FROM questions")
            ids["bar_raiser"] = one(connection, "SELECT bar_raiser_id FROM loops WHERE id = :loop",
                                    loop=ids["showcase"])
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
    thin = {table: n for table, n in counts.items() if n < 300}
    assert thin == {}, "every growing table needs rows for its plans to mean anything"
    emails = {"admin": "admin@bench.test", "recruiter": "recruiter@bench.test", "hm": "hm@bench.test",
              "br": "barraiser@bench.test", "shadow": "shadow0@bench.test", "iv": ids["emails"]["interviewer"],
              **ids["emails"]}
    with app.app_context():
        emails["busy"] = db.session.scalar(sa.text("SELECT email FROM users WHERE id = :id"),
                                           {"id": ids["busy_interviewer"]})
    yield Company(app, emails, ids, pages_for(ids), tokens)
    dispose(app)


def captured_selects(company: Company, page: Page) -> list[tuple[str, object]]:
    """Request the page as its person; return every SELECT it ran, with the parameters it ran with."""
    from bench.company import PASSWORD

    app = company.app
    client = app.test_client()
    headers = {}
    if page.bearer:
        headers["Authorization"] = f"Bearer {company.tokens[page.bearer]}"
    else:
        signed_in = client.post("/login", data={"email": company.emails[page.role], "password": PASSWORD})
        assert signed_in.status_code == 302, page.role
    url = page.url
    if page.second_page:
        first = client.get(url, headers=headers)
        assert first.status_code == 200 and first.json["next"], (page.name, first.status_code)
        url = first.json["next"]
    if page.cache == "empty":
        shutil.rmtree(app.config["PDF_CACHE_DIR"], ignore_errors=True)
    elif page.cache == "warm":
        assert client.get(page.url).status_code == 200
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip()[:6].upper() in ("SELECT", "WITH ("):
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        response = client.get(url, headers=headers)
        response.get_data()  # a streamed body runs its queries as it is read
        response.close()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    assert response.status_code == page.status, (page.name, page.url, response.status_code)
    return statements


def sequential_scans(plan: dict) -> list[str]:
    """Return the growing tables the plan reads from end to end."""
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in GROWING:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += sequential_scans(child)
    return found


def explain(company: Company, statement: str, parameters) -> dict:
    """Explain the statement at PostgreSQL's default random_page_cost of 4, whatever the server is set to."""
    with company.app.app_context(), db.engine.connect() as connection, connection.begin():
        connection.exec_driver_sql("SET LOCAL random_page_cost = 4")
        rows = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    return rows[0]["Plan"]


def scanned_statements(company: Company, page: Page) -> list[str]:
    bad = []
    for statement, parameters in captured_selects(company, page):
        tables = {table for table in sequential_scans(explain(company, statement, parameters))
                  if (page.endpoint, table) not in ALLOWED_SCANS}
        if tables:
            bad.append(f"Seq Scan of {', '.join(sorted(tables))}: {' '.join(statement.split())[:1500]}")
    return bad


def page_ids():
    return [page.name for page in pages_for({key: 1 for key in IDS_NEEDED} | {"emails": {}})]


IDS_NEEDED = ["recruiter", "showcase", "hired", "not_hired", "rejected", "interview", "interviewer", "candidate",
              "requisition", "unit", "principle", "trainee", "shadow", "busy_interviewer", "bar_raiser", "question",
              "calendar_token", "endpoint", "retention_later"] + [
    f"open_step_{s}" for s in range(2, 9)]


@pytest.mark.parametrize("name", page_ids())
def test_no_page_scans_a_table_that_grows_with_history(company, name):
    page = next(p for p in company.pages if p.name == name)
    bad = scanned_statements(company, page)
    if page.endpoint in PENDING_ROLLUPS:
        if bad:
            pytest.skip(f"{page.endpoint} moves onto rollup tables on another branch; it still scans: {bad}")
        return
    if page.name in KNOWN_SCANS:
        assert bad, f"{page.name} no longer scans: remove it from KNOWN_SCANS"
        pytest.xfail(f"{KNOWN_SCANS[page.name]}: {bad}")
    assert not bad, f"{page.name} ({page.url}) scans:\n" + "\n".join(bad)


def test_every_get_route_is_measured_or_excused():
    app = make_app("sqlite://")
    measured = {page.endpoint for page in pages_for({key: 1 for key in IDS_NEEDED} | {"emails": {}})}
    missing = sorted(rule.endpoint for rule, method in routes(app) if method == "GET"
                     and rule.endpoint not in measured and rule.endpoint not in EXCUSED)
    assert missing == [], "measure these GET routes in PAGES, or excuse them in EXCUSED with a reason"
    assert set(EXCUSED).isdisjoint(measured)
    assert PENDING_ROLLUPS <= measured
    assert set(KNOWN_SCANS) <= {page.name for page in pages_for({key: 1 for key in IDS_NEEDED} | {"emails": {}})}


def test_the_check_sees_a_scan(company):
    """The walk finds a scan where there is one: a filter on an unindexed column of a big table."""
    plan = explain(company, "SELECT id FROM feedback WHERE summary LIKE %(s)s", {"s": "%x%"})
    assert sequential_scans(plan) == ["feedback"]
    assert os.environ.get("PGOPTIONS", "") == "" or "enable_seqscan" not in os.environ["PGOPTIONS"]


def test_the_excused_sign_on_routes_answer_404_without_a_provider():
    """The reason the OIDC routes are excused holds: with no provider configured they answer 404."""
    app = make_app("sqlite://")
    client = app.test_client()
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?code=x&state=y").status_code == 404


def test_a_metrics_request_plans_its_statements_for_its_period(company, monkeypatch):
    """A metrics page's statements are planned on every request (the period may be a month or ten years, which a
    prepared statement's one plan for any parameters cannot tell apart); other pages keep their prepared plans."""
    from app.metrics import services
    from bench.company import PASSWORD

    seen = []
    totals = services.Metrics.totals.func

    def watched(self):
        seen.append(db.session.execute(sa.text("SHOW plan_cache_mode")).scalar())
        return totals(self)

    monkeypatch.setattr(services.Metrics, "totals", property(watched))
    client = company.app.test_client()
    assert client.post("/login", data={"email": company.emails["recruiter"], "password": PASSWORD}).status_code == 302
    assert client.get("/metrics?date_from=2020-01-15&date_to=2024-06-10").status_code == 200
    assert seen and set(seen) == {"force_custom_plan"}
    with company.app.app_context():
        assert db.session.execute(sa.text("SHOW plan_cache_mode")).scalar() == "auto"
