"""Signed webhooks: written with the change, delivered after commit to real receivers on 127.0.0.1, verified
with `standardwebhooks`; retried with backoff, then failed; redelivered by an admin; never sent to a private
address; never carrying feedback."""

import ipaddress
import json
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.audit.models import AuditEntry
from app.candidates.models import Candidate
from app.db_types import utcnow
from app.debrief import services as debrief
from app.extensions import db
from app.interviews import services as interviews
from app.interviews.models import Interview, InterviewKind
from app.loops import services as loops
from app.loops.models import Loop, Step
from app.loops.workflow import advance_loop, end_loop
from app.offers import services as offers
from app.people.models import User
from app.webhooks import events, services
from app.webhooks.crypto import new_signing_secret
from app.webhooks.delivery import claim, deliver_due
from app.webhooks.models import DeliveryAttempt, EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent
from app.webhooks.ssrf import UnsafeAddress, check
from config import env_hosts
from tests import factories
from tests.conftest import dispose, make_app
from tests.webhook_receiver import start

LOCAL = (frozenset(), (ipaddress.ip_network("127.0.0.1/32"),))
NOWHERE = (frozenset(), ())
# What a payload must never hold, spelled out here rather than read from the code under test.
FEEDBACK_KEYS = {"feedback", "rating", "ratings", "vote", "votes", "final_vote", "evidence", "note", "notes",
                 "summary", "rationale", "reason", "raises_bar", "amendments"}


@pytest.fixture
def app(database, tmp_path):
    app = make_app(database, tmp_path, WEBHOOK_ALLOWED_HOSTS=LOCAL)
    yield app
    dispose(app)


@pytest.fixture
def receiver():
    receiver, server = start()
    yield receiver
    server.shutdown()
    server.server_close()


def register(app, url: str, event_types=None) -> tuple[int, str]:
    with app.app_context():
        admin = factories.make_user(is_admin=True)
        endpoint, secret = services.create_endpoint(
            admin, url=url, description="Applicant tracking sync",
            events=[e.value for e in (event_types or EventType)])
        db.session.commit()
        return endpoint.id, secret


def verified(receiver, secret: str) -> list[dict]:
    """Every payload the receiver got, each checked with the endpoint's secret as a receiver would."""
    return [Webhook(secret).verify(r.body, r.headers) for r in receiver.requests]


def walk_keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from walk_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from walk_keys(inner)


def test_a_veto_at_the_debrief_sends_a_verified_loop_closed_with_its_outcome(app, receiver):
    _, secret = register(app, receiver.url)
    with app.app_context():
        loop = factories.make_loop(step=Step.DEBRIEF, outcome="hire")
        debrief.record_verdict(loop, loop.bar_raiser, "veto", "Below the bar on ownership.")
        db.session.commit()
        loop_id, requisition_id, candidate_id = loop.id, loop.requisition_id, loop.candidate_id
        report = deliver_due()
    assert report.delivered == 2
    closed, decided = verified(receiver, secret)
    assert closed["type"] == "loop.closed"
    assert closed["data"]["outcome"] == "not_hired" and closed["data"]["ending"] == "debrief"
    assert closed["data"]["loop"] | {"url": None} == {
        "id": loop_id, "step": 6, "step_name": "Debrief", "status": "not_hired", "url": None,
        "created_at": closed["data"]["loop"]["created_at"]}
    assert closed["data"]["requisition"] == {"id": requisition_id}
    assert closed["data"]["candidate"] == {"id": candidate_id}
    assert decided["type"] == "debrief.decided"
    assert (decided["data"]["decision"], decided["data"]["verdict"], decided["data"]["outcome"]) == (
        "hire", "veto", "no_hire")
    headers = receiver.requests[0].headers
    assert headers["webhook-id"].startswith("msg_") and headers["webhook-signature"].startswith("v1,")
    assert "Below the bar" not in receiver.requests[1].body.decode()
    with pytest.raises(WebhookVerificationError):  # the signature proves who sent it
        Webhook(new_signing_secret()).verify(receiver.requests[0].body, headers)
    tampered = receiver.requests[0].body.replace(b"not_hired", b"hired")
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, headers)


def make_candidate() -> Candidate:
    candidate = Candidate(name="Casey Doe", email="casey@example.test")
    db.session.add(candidate)
    db.session.flush()
    return candidate


def phone_screen(loop: Loop) -> Interview:
    return interviews.schedule_interview(
        loop, loop.recruiter, kind=InterviewKind.PHONE_SCREEN, interviewer=loop.hiring_manager,
        starts_at=utcnow() + timedelta(days=2), duration_minutes=45, location="Room 4",
        principles=loop.requisition.principles[:1])


def scenario(name: str) -> None:
    """Do, through its service, the one thing that emits `name` (with what necessarily comes with it)."""
    if name == "loop.created":
        recruiter = factories.make_user(is_recruiter=True, org_unit="Talent")
        hiring_manager = factories.make_user(org_unit="Payments")
        requisition = factories.make_requisition(hiring_manager, recruiter)
        loops.create_loop(requisition, make_candidate(), recruiter, recruiter=recruiter, hiring_manager=None)
    elif name == "interview.scheduled":
        phone_screen(factories.make_loop(step=Step.PHONE_SCREEN))
    elif name == "interview.cancelled":
        loop = factories.make_loop(step=Step.PHONE_SCREEN)
        interview = Interview(loop=loop, kind=InterviewKind.PHONE_SCREEN, interviewer=loop.hiring_manager,
                              starts_at=utcnow() + timedelta(days=1), principles=loop.requisition.principles[:1])
        db.session.add(interview)
        db.session.flush()
        interviews.cancel_interview(interview, loop.recruiter)
    elif name == "loop.moved":
        loop = factories.make_loop(step=Step.REFERENCE_CHECK)
        factories.add_references(loop, 2)
        advance_loop(loop, loop.recruiter, Step.OFFER)
    elif name == "loop.closed":
        loop = factories.make_loop(step=Step.RESUME_REVIEW)
        end_loop(loop, loop.recruiter, "withdrawn", "")
    elif name == "debrief.decided":
        loop = factories.make_loop(step=Step.DEBRIEF)
        debrief.decide(loop, loop.hiring_manager, "no_hire", "Not yet at the level.")
    elif name == "offer.resolved":
        loop = factories.make_loop(step=Step.OFFER)
        offers.resolve_offer(loop, loop.recruiter, "accepted")


# What each service writes, in order: an ending at the debrief or the offer also closes the loop.
EMITTED = {
    "loop.created": ["loop.created"],
    "interview.scheduled": ["interview.scheduled"],
    "interview.cancelled": ["interview.cancelled"],
    "loop.moved": ["loop.moved"],
    "loop.closed": ["loop.closed"],
    "debrief.decided": ["loop.closed", "debrief.decided"],
    "offer.resolved": ["loop.closed", "offer.resolved"],
}


@pytest.mark.parametrize("name", [e.value for e in EventType])
def test_each_event_type_is_emitted_once_by_its_service_and_delivered_signed(app, receiver, name):
    _, secret = register(app, receiver.url)
    with app.app_context():
        scenario(name)
        db.session.commit()
        assert list(db.session.scalars(select(WebhookEvent.type).order_by(WebhookEvent.id))) == EMITTED[name]
        deliver_due()
    payloads = verified(receiver, secret)
    assert [p["type"] for p in payloads] == EMITTED[name]
    if name == "offer.resolved":
        assert payloads[1]["data"]["offer"]["status"] == "accepted" and payloads[0]["data"]["outcome"] == "hired"
    if name.startswith("interview."):
        assert set(payloads[0]["data"]["interview"]) == {"id", "kind", "interviewer_id", "starts_at", "ends_at"}


def test_an_endpoint_hears_only_the_events_it_chose(app, receiver):
    _, secret = register(app, receiver.url, [EventType.OFFER_RESOLVED])
    with app.app_context():
        scenario("offer.resolved")
        scenario("loop.closed")
        db.session.commit()
        deliver_due()
    assert [p["type"] for p in verified(receiver, secret)] == ["offer.resolved"]


def test_closing_a_loop_on_its_page_emits_the_event_too(app, client, auth, receiver, recruiter):
    _, secret = register(app, receiver.url)
    with app.app_context():
        loop = factories.make_loop(step=Step.PHONE_SCREEN, recruiter=db.session.get(User, recruiter.id))
        db.session.commit()
        loop_id = loop.id
    auth.login(recruiter)
    response = client.post(f"/loops/{loop_id}/close", data={"status": "rejected", "reason": "Role filled."})
    assert response.status_code == 302
    with app.app_context():
        deliver_due()
    [closed] = verified(receiver, secret)
    assert (closed["type"], closed["data"]["outcome"], closed["data"]["ending"]) == ("loop.closed", "rejected",
                                                                                   "closed")
    assert "Role filled" not in receiver.requests[0].body.decode()


def test_a_change_that_rolls_back_leaves_no_event_and_sends_nothing(app, receiver):
    register(app, receiver.url)
    app.config["JOBS_MODE"] = "immediate"
    with app.app_context():
        loop = factories.make_loop(step=Step.RESUME_REVIEW)
        db.session.commit()
        end_loop(loop, loop.recruiter, "withdrawn", "")
        db.session.rollback()
        assert db.session.scalar(select(func.count(WebhookEvent.id))) == 0
        assert deliver_due().delivered == 0
    assert receiver.requests == []
    with app.app_context():  # the same change committed is sent straight after the commit, with no cron run
        loop = db.session.scalars(select(Loop)).one()
        end_loop(loop, loop.recruiter, "withdrawn", "")
        db.session.commit()
    assert len(receiver.requests) == 1


def test_failed_tries_wait_longer_each_time_then_the_delivery_fails_and_is_never_sent_again(app, receiver):
    receiver.answer = lambda n: 500
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 4
    register(app, receiver.url)
    with app.app_context():
        scenario("loop.closed")
        db.session.commit()
        t0 = utcnow()
        assert deliver_due(t0).retrying == 1
        for wait in (timedelta(seconds=30), timedelta(minutes=2)):  # 30 s, then 2 min (x4 each time)
            assert deliver_due(t0 + wait - timedelta(seconds=1)).retrying == 0  # not yet
            t0 += wait
            assert deliver_due(t0).retrying == 1
        assert deliver_due(t0 + timedelta(minutes=8) - timedelta(seconds=1)).failed == 0
        assert deliver_due(t0 + timedelta(minutes=8)).failed == 1
        assert deliver_due(t0 + timedelta(days=30)) == deliver_due(t0)  # nothing left to send
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 4, 500)
        tries = db.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
        gaps = [b.attempted_at - a.attempted_at for a, b in zip(tries, tries[1:], strict=False)]
        assert gaps == [timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=8)]
        assert all(t.status_code == 500 and t.duration_ms >= 0 for t in tries)
    assert len(receiver.requests) == 4
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1  # one message, tried four times


def test_a_redirect_is_recorded_never_followed(app, receiver):
    receiver.answer = lambda n: 302
    register(app, receiver.url)
    with app.app_context():
        scenario("loop.closed")
        db.session.commit()
        assert deliver_due().retrying == 1
        attempt = db.session.scalars(select(DeliveryAttempt)).one()
        assert attempt.status_code == 302 and "redirect" in attempt.error
    assert [r.path for r in receiver.requests] == ["/"]


def test_a_delivered_message_is_never_sent_twice_and_two_workers_never_claim_the_same(app, receiver):
    register(app, receiver.url)
    with app.app_context():
        scenario("loop.closed")
        db.session.commit()
        delivery_id = db.session.scalar(select(WebhookDelivery.id))
        now = utcnow()
        first = claim(delivery_id, now)
        assert first is not None and claim(delivery_id, now) is None  # the second worker loses
        assert deliver_due(now).delivered == 0  # claimed: left to its worker
        assert deliver_due(now + timedelta(minutes=6)).delivered == 1  # a lapsed claim is taken over
        assert deliver_due(now + timedelta(days=1)).delivered == 0
    assert len(receiver.requests) == 1


def test_an_admin_redelivers_a_failed_message_with_the_same_webhook_id(app, client, auth, admin, receiver):
    receiver.answer = lambda n: 500 if n == 1 else 200
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 1
    endpoint_id, secret = register(app, receiver.url)
    with app.app_context():
        scenario("loop.closed")
        db.session.commit()
        assert deliver_due().failed == 1
        delivery_id = db.session.scalar(select(WebhookDelivery.id))
    auth.login(admin)
    log = client.get(f"/admin/webhooks/{endpoint_id}/deliveries").get_data(as_text=True)
    assert "Failed" in log and "HTTP 500" in log and "Redeliver" in log
    assert client.post(f"/admin/webhooks/deliveries/{delivery_id}/redeliver").status_code == 302
    refused = client.post(f"/admin/webhooks/deliveries/{delivery_id}/redeliver")  # already waiting
    assert refused.status_code == 409 and "already waiting" in refused.get_data(as_text=True)
    with app.app_context():
        assert deliver_due().delivered == 1
        assert deliver_due(utcnow() + timedelta(days=1)).delivered == 0
        delivery = db.session.get(WebhookDelivery, delivery_id)
        assert delivery.status == "delivered" and len(delivery.tries) == 2
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "webhook.redelivered")).one()
        assert entry.actor_id == admin.id
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert Webhook(secret).verify(second.body, second.headers)["type"] == "loop.closed"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost:8000/hook", "http://10.1.2.3/", "http://172.16.0.9/",
    "http://192.168.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[fe80::1]/",
    "http://224.0.0.1/", "http://0.0.0.0/", "http://240.0.0.1/", "http://[::ffff:127.0.0.1]/",
    "http://100.64.0.1/", "ftp://example.com/", "file:///etc/passwd", "gopher://example.com/",
    "http://user:secret@93.184.215.14/", "http://93.184.215.14:99999/", "not an address",
])
def test_private_and_non_http_addresses_are_refused(app, url):
    with app.app_context(), pytest.raises(UnsafeAddress):
        check(url, NOWHERE)


def test_public_and_allowed_addresses_pass(app):
    with app.app_context():
        assert check("https://93.184.215.14/hooks?x=1", NOWHERE).path == "/hooks?x=1"
        assert check("http://127.0.0.1:9/", LOCAL).address == "127.0.0.1"
        assert check("http://localhost:9/", (frozenset({"localhost"}), ())).host == "localhost"


def test_registration_refuses_a_private_address_beside_the_field(app, client, auth, admin):
    app.config["WEBHOOK_ALLOWED_HOSTS"] = NOWHERE
    auth.login(admin)
    for url in ("http://localhost:8080/hook", "http://10.0.0.5/", "ftp://example.com/"):
        response = client.post("/admin/webhooks/new", data={"url": url, "events": ["loop.closed"],
                                                             "is_active": "y"})
        assert response.status_code == 422
        assert 'id="url-error"' in response.get_data(as_text=True)
    response = client.post("/admin/webhooks/new", data={"url": "http://93.184.215.14/", "is_active": "y"})
    assert response.status_code == 422 and "Choose at least one event" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 0


def test_delivery_checks_the_address_again_and_refuses_a_host_now_private(app, receiver):
    app.config["WEBHOOK_ALLOWED_HOSTS"] = (frozenset({"localhost"}), ())
    register(app, receiver.url.replace("127.0.0.1", "localhost"))
    app.config["WEBHOOK_ALLOWED_HOSTS"] = NOWHERE  # the allowance is gone (or the name now points inside)
    with app.app_context():
        scenario("loop.closed")
        db.session.commit()
        assert deliver_due().retrying == 1
        attempt = db.session.scalars(select(DeliveryAttempt)).one()
        assert attempt.status_code is None and attempt.error.startswith("Refused: localhost (")
    assert receiver.requests == []


def test_the_admin_registers_an_endpoint_and_sees_the_secret_once(app, client, auth, admin, receiver):
    auth.login(admin)
    response = client.post("/admin/webhooks/new", data={
        "url": receiver.url, "description": "Payroll", "events": ["loop.closed", "offer.resolved"], "is_active": "y"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    secret = page.split('id="signing-secret">')[1].split("<")[0]
    assert secret.startswith("whsec_")
    with app.app_context():
        endpoint = db.session.scalars(select(WebhookEndpoint)).one()
        assert secret not in endpoint.secret_ciphertext and endpoint.events == "loop.closed offer.resolved"
        endpoint_id = endpoint.id
        scenario("loop.closed")
        db.session.commit()
        deliver_due()
    assert Webhook(secret).verify(receiver.requests[0].body, receiver.requests[0].headers)["type"] == "loop.closed"
    assert secret not in client.get(f"/admin/webhooks/{endpoint_id}").get_data(as_text=True)
    assert secret not in client.get("/admin/webhooks/").get_data(as_text=True)
    rotated = client.post(f"/admin/webhooks/{endpoint_id}/rotate").get_data(as_text=True)
    new_secret = rotated.split('id="signing-secret">')[1].split("<")[0]
    assert new_secret != secret
    assert client.post(f"/admin/webhooks/{endpoint_id}/disable").status_code == 302
    with app.app_context():
        assert db.session.get(WebhookEndpoint, endpoint_id).is_active is False
        scenario("loop.closed")
        db.session.commit()
        assert db.session.scalar(select(func.count(WebhookEvent.id))) == 1  # nobody listens any more


def test_webhook_pages_are_for_admins_only(app, client, auth, recruiter):
    auth.login(recruiter)
    for path in ("/admin/webhooks/", "/admin/webhooks/new"):
        assert client.get(path).status_code == 403


def test_no_payload_carries_feedback_ratings_votes_or_notes(app, receiver):
    """The whole life of a hired loop, every event on: the payloads hold ids, steps, statuses and dates only."""
    _, secret = register(app, receiver.url)
    with app.app_context():
        loop = factories.make_loop(step=Step.DEBRIEF)
        debrief.decide(loop, loop.hiring_manager, "hire", "Exceptional ownership of the ledger.")
        debrief.record_verdict(loop, loop.bar_raiser, "concur", "Raises the bar on deliver results.")
        factories.add_references(loop, 2)
        advance_loop(loop, loop.recruiter, Step.OFFER)
        offers.extend_offer(loop, loop.recruiter, "Base 180k, start in March.")
        offers.resolve_offer(loop, loop.recruiter, "accepted")
        for name in ("loop.created", "interview.scheduled", "interview.cancelled", "loop.closed"):
            scenario(name)
        db.session.commit()
        deliver_due()
    payloads = verified(receiver, secret)
    assert {p["type"] for p in payloads} == {e.value for e in EventType}
    for payload in payloads:
        assert not FEEDBACK_KEYS & set(walk_keys(payload)), payload
    for written in (b"ledger migration", b"Clear, specific", b"Exceptional ownership", b"Raises the bar on",
                    b"Would hire again", b"180k", b"Casey", b"inclined"):
        assert not any(written in body for body in receiver.bodies()), written


@pytest.mark.parametrize("key", sorted(FEEDBACK_KEYS))
def test_an_event_that_would_carry_feedback_is_refused(ctx, key):
    with pytest.raises(ValueError, match="never carries"):
        events.emit(EventType.LOOP_CLOSED, {"loop": {"id": 1}, "details": [{key: "x"}]})


def deliver_until_done(app, start) -> int:
    """Run delivery passes, each after the longest wait, until nothing waits; return the passes run."""
    passes, now = 0, start
    with app.app_context():
        while db.session.scalar(select(func.count(WebhookDelivery.id)).where(WebhookDelivery.status == "pending")):
            deliver_due(now)
            passes, now = passes + 1, now + timedelta(hours=7)
            db.session.rollback()
    return passes


def figures(app, receiver) -> dict:
    with app.app_context():
        attempts = dict(db.session.execute(
            select(WebhookDelivery.attempts, func.count()).group_by(WebhookDelivery.attempts)).all())
        statuses = dict(db.session.execute(
            select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)).all())
        tries = db.session.scalar(select(func.count(DeliveryAttempt.id)))
    accepted = [r.headers["webhook-id"] for r in receiver.requests if r.answered == 200]
    return {"attempts": attempts, "statuses": {str(k): v for k, v in statuses.items()}, "tries": tries,
            "requests": len(receiver.requests), "accepted": len(accepted),
            "duplicates_after_dedupe": len(accepted) - len(set(accepted))}


def emit_many(app, n: int) -> None:
    with app.app_context():
        for i in range(n):
            events.emit(EventType.LOOP_CLOSED, {"loop": {"id": i + 1, "status": "withdrawn"}})
        db.session.commit()


def test_a_receiver_that_fails_every_other_request_still_gets_every_event_once(app, receiver):
    receiver.answer = lambda n: 500 if n % 2 else 200
    register(app, receiver.url, [EventType.LOOP_CLOSED])
    emit_many(app, 200)
    passes = deliver_until_done(app, utcnow())
    result = figures(app, receiver)
    print("\nhalf-failing receiver, one worker:", passes, "passes", json.dumps(result))
    assert result["statuses"] == {"delivered": 200}
    # Each pass the receiver refuses every other try: 100 succeed at once, 50 on the second try, 25 on the third...
    assert result["attempts"] == {1: 100, 2: 50, 3: 25, 4: 12, 5: 7, 6: 3, 7: 1, 8: 1, 9: 1}
    assert result["requests"] == result["tries"] == 400 and passes == 9
    assert result["accepted"] == 200 and result["duplicates_after_dedupe"] == 0


def test_two_workers_at_once_never_send_one_delivery_twice(app, receiver):
    receiver.answer = lambda n: 500 if n % 2 else 200
    register(app, receiver.url, [EventType.LOOP_CLOSED])
    emit_many(app, 200)
    now = utcnow()

    def worker():
        with app.app_context():
            deliver_due(now)

    for _ in range(12):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        now += timedelta(hours=7)
    result = figures(app, receiver)
    print("\nhalf-failing receiver, two workers:", json.dumps(result))
    assert result["requests"] == result["tries"]  # every request sent is one recorded try: none sent twice
    assert result["statuses"].get("delivered", 0) + result["statuses"].get("failed", 0) == 200
    assert result["accepted"] == result["statuses"]["delivered"] and result["duplicates_after_dedupe"] == 0


def test_the_cron_command_delivers_what_is_due_and_the_list_page_gives_the_schedule(app, runner, client, auth,
                                                                                   admin, receiver):
    register(app, receiver.url)
    with app.app_context():
        scenario("loop.closed")
        db.session.commit()
    result = runner.invoke(args=["deliver-webhooks"])
    assert result.exit_code == 0 and result.output.strip() == "Delivered 1, retrying 0, failed 0."
    assert runner.invoke(args=["deliver-webhooks"]).output.strip() == "Delivered 0, retrying 0, failed 0."
    assert len(receiver.requests) == 1
    auth.login(admin)
    page = client.get("/admin/webhooks/").get_data(as_text=True)
    assert "30 s, 2 min, 8 min, 32 min, 2 h 8 min, 6 h" in page and receiver.url in page


def test_allowed_hosts_are_read_strictly(monkeypatch):
    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", " hooks.internal, 127.0.0.1 ,10.20.0.0/16,::1,")
    names, networks = env_hosts("WEBHOOK_ALLOWED_HOSTS")
    assert names == {"hooks.internal"}
    assert [str(n) for n in networks] == ["127.0.0.1/32", "10.20.0.0/16", "::1/128"]
    for wrong in ("10.20.0.1/16", "http://hooks.internal", "hooks internal", "300.1.1.1", "*.example.com"):
        monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", wrong)
        with pytest.raises(ValueError, match="WEBHOOK_ALLOWED_HOSTS must list"):
            env_hosts("WEBHOOK_ALLOWED_HOSTS")


def test_a_slow_receiver_times_out_and_is_tried_again(app, receiver):
    def slow(n):
        time.sleep(1.5)
        return 200

    receiver.answer = slow
    app.config["WEBHOOK_TIMEOUT_SECONDS"] = 1
    register(app, receiver.url)
    with app.app_context():
        scenario("loop.closed")
        db.session.commit()
        assert deliver_due().retrying == 1
        attempt = db.session.scalars(select(DeliveryAttempt)).one()
        assert attempt.status_code is None and "timed out" in attempt.error and 900 <= attempt.duration_ms < 1500


def test_the_delivery_log_pages_newest_first_with_each_try(app, client, auth, admin, receiver):
    endpoint_id, _ = register(app, receiver.url, [EventType.LOOP_CLOSED])
    emit_many(app, 30)
    with app.app_context():
        deliver_due()
        ids = list(db.session.scalars(select(WebhookDelivery.message_id).order_by(WebhookDelivery.id.desc())))
    auth.login(admin)
    first = client.get(f"/admin/webhooks/{endpoint_id}/deliveries").get_data(as_text=True)
    second = client.get(f"/admin/webhooks/{endpoint_id}/deliveries?page=2").get_data(as_text=True)
    assert [i for i in ids if i in first] == ids[:25] and [i for i in ids if i in second] == ids[25:]
    assert first.index(ids[0]) < first.index(ids[24]) and "HTTP 200" in first and "Older" in first
    assert "Newer" in second and "Older" not in second
    assert client.get(f"/admin/webhooks/{endpoint_id}/deliveries?page=x").status_code == 200  # read as page 1
    assert client.get("/admin/webhooks/999999/deliveries").status_code == 404


def test_moving_an_interview_sends_interview_scheduled_again_at_its_new_time(app, receiver):
    _, secret = register(app, receiver.url, [EventType.INTERVIEW_SCHEDULED])
    with app.app_context():
        interview = phone_screen(factories.make_loop(step=Step.PHONE_SCREEN))
        db.session.commit()
        moved_to = (interview.starts_at + timedelta(days=1)).replace(microsecond=0)
        interviews.reschedule_interview(interview, interview.loop.recruiter, starts_at=moved_to,
                                        duration_minutes=45, location="Room 4")
        db.session.commit()
        interview_id = interview.id
        deliver_due()
    first, moved = verified(receiver, secret)
    assert first["data"]["interview"]["id"] == moved["data"]["interview"]["id"] == interview_id
    assert moved["data"]["interview"]["starts_at"].startswith(moved_to.strftime("%Y-%m-%dT%H:%M"))
    assert first["data"]["interview"]["starts_at"] != moved["data"]["interview"]["starts_at"]
