"""A synthetic company of any size and shape, played forward in memory and written in bulk (bench/bulk.py).

A company has a shape (`SHAPES`): "older" keeps a fixed staff hiring 1,000
loops a year, so more loops are more years of history (10,000 loops are ten
years, 100,000 a century); "bigger" hires 10,000 loops a year with ten times
the staff (recruiters, hiring managers, bar raisers, interviewers, org units),
so every person carries the same load as in the older company and more loops
are mostly more people. Every loop is played forward from its creation through the
eight steps with realistic drop-outs (résumé and phone-screen rejections,
withdrawals, No hire, vetoes, declined offers); loops whose story runs past
"now" stay open at the step they have reached. Each loop draws its story from
a random stream of its own, numbered from the newest loop, so the last years'
loops and the open pipeline are the same at every size of a shape (the older
company's 10,000 loops are the last ten years of its 100,000). Loops that reach the in-house day have a phone screen and
six to eight in-house interviews, each with written feedback, ratings with
evidence, votes, final votes, decisions, references and offers as their step
calls for, and the audit trail the services would have written: a candidate's
name and the reasons about them kept apart in `audit_personal_data` under a
salted digest, every entry numbered and hashed into the chain with
app/audit/chain.py's own functions, in the order of its time.

Rows obey the database's own rules (CHECK constraints and the triggers of the
first migration): closed loops and decisions are inserted with their final
values, and feedback is inserted as drafts, rated, then sealed by one UPDATE.

Besides the random loops there is one fixed "showcase" loop, identical at every
size and in both shapes: eight in-house interviewers at the debrief, recruited
by the measured recruiter. The loop page, the debrief page and the PDF are
measured on it.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.audit.chain import GENESIS, entry_hash, personal_digest
from app.loops.members import rebuild as rebuild_members
from app.loops.models import STEP_LABELS

PASSWORD = "bench-password-raise-the-bar"
RECRUITER_EMAIL = "recruiter@bench.test"
SHOWCASE_CANDIDATE = "Showcase Candidate Okonkwo-Lindqvist"



@dataclass(frozen=True)
class Shape:
    """How a company grows: loops a year, staff as a multiple of the older company's, the measured recruiter's share."""

    name: str
    loops_per_year: int
    staff_scale: int
    measured_share: float
    about: str


SHAPES = {
    "older": Shape("older", 1000, 1, 0.33,
                   "1,000 loops a year with a fixed staff (an admin, 6 recruiters, 30 hiring managers, 24 certified "
                   "bar raisers, 6 in training, 200 interviewers, 8 business units): more loops are more years of "
                   "history. The measured recruiter runs about a third of all loops (about 330 a year)."),
    "bigger": Shape("bigger", 10000, 10, 0.033,
                    "10,000 loops a year with ten times the staff (60 recruiters, 300 hiring managers, 240 certified "
                    "bar raisers, 60 in training, 2,000 interviewers, 80 org units, ten times the requisitions), so "
                    "each person carries the older company's load: more loops are mostly more people. The measured "
                    "recruiter runs a fixed 3.3% of all loops (1 in 30, about 330 a year), the same load as the "
                    "older company's measured recruiter."),
}
REGIONS = ["Dublin", "Seattle", "Berlin", "Lagos", "Tokyo", "Sao Paulo", "Toronto", "Bangalore", "Sydney",
           "Warsaw"]
UNITS = ["Payments", "Search", "Ads", "Devices", "Retail", "Cloud Infrastructure", "Logistics", "Data Platform"]
FIRST = ["Aisha", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Liam",
         "Maya", "Nikhil", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Ximena",
         "Yusuf", "Zoe", "Anders", "Bianca", "Chidi", "Daria", "Emeka", "Freya", "Gustavo", "Hana", "Ivan",
         "Julia", "Kwame", "Leila", "Mateo", "Nadia"]
LAST = ["Okafor", "Lindqvist", "Santos", "Nakamura", "Iyer", "Becker", "Chen", "Novak", "Adeyemi", "Herrera",
        "Kowalski", "O'Connor", "Karim", "Whitfield", "Bell", "Moreau", "Haddad", "Petrov", "Silva", "Tanaka",
        "Fischer", "Mensah", "Rossi", "Kaur", "Dubois", "Jensen", "Alvarez", "Sato", "Nguyen", "Abebe"]
ROLES = [("Software Development Engineer", "L5"), ("Senior Software Engineer", "L6"),
         ("Principal Engineer", "L7"), ("Engineering Manager", "L6"), ("Product Manager", "L6"),
         ("Data Scientist", "L5"), ("Site Reliability Engineer", "L5"), ("Technical Program Manager", "L6")]
SOURCES = ["Referral", "LinkedIn", "Careers site", "Agency", "Conference", "Internal transfer"]
VOTES = ["strongly_inclined", "inclined", "not_inclined", "strongly_not_inclined"]
RATINGS = ["raises_the_bar", "meets_the_bar", "below_the_bar", "strong_concern"]
REJECT_RESUME = ["Experience is mostly front-end; the role needs deep distributed-systems work.",
                 "No evidence of operating a production service; the level needs it."]
REJECT_PHONE = ["Stayed on the surface of the one system they owned; could not get to the data.",
                "Could not explain the trade-offs of their own design when asked twice."]
WITHDRAW = ["Accepted another offer.", "Decided to stay with their current employer.", "Relocation fell through."]


def text_pools() -> tuple[list[str], list[str], list[str]]:
    """Return evidence, summaries and job descriptions written for the demo company: real hiring notes."""
    import app.demo.notes as notes
    from app.demo.roster import REQUISITIONS
    from app.demo.writer import Note

    evidence, summaries = set(), set()

    def walk(value):
        if isinstance(value, Note):
            evidence.update(r.evidence for r in value.ratings)
            if value.summary:
                summaries.add(value.summary)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for value in vars(notes).values():
        walk(value)
    descriptions = [opening.description for opening in REQUISITIONS if getattr(opening, "description", "")]
    return sorted(evidence), sorted(summaries), descriptions or ["Own the service end to end."]


@dataclass
class Rows:
    """Rows per table, in insertion order, with the next id of each."""

    tables: dict[str, list[dict]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    chain_head: tuple[int, str] | None = None

    def add(self, table: str, **row) -> int:
        if table not in ("requisition_principles", "interview_principles"):
            row["id"] = self.ids[table] = self.ids.get(table, 0) + 1
        self.tables.setdefault(table, []).append(row)
        return row.get("id", 0)

    def count(self, table: str) -> int:
        return len(self.tables.get(table, []))


@dataclass
class Staff:
    admin: int
    recruiters: list[int]
    managers: list[tuple[int, int]]  # (user id, org unit id)
    bar_raisers: list[tuple[int, int]]
    trainees: list[int]
    interviewers: list[int]
    names: dict[int, str]


class Builder:
    def __init__(self, n_loops: int, now: datetime, shape: Shape = SHAPES["older"], seed: int = 8):
        self.n = n_loops
        self.shape = shape
        self.unit_names: dict[int, str] = {}
        self.now = now
        self.seed = seed
        self.rnd = random.Random(seed)
        self.rows = Rows()
        self.evidence, self.summaries, self.descriptions = text_pools()
        self.password_hash = generate_password_hash(PASSWORD)  # one scrypt hash, shared by everyone
        self.principle_ids: list[int] = []

    # -- people -----------------------------------------------------------------------------------------

    def person(self, email: str, name: str, unit: int | None, **flags) -> int:
        certification = flags.get("certification", "none")
        return self.rows.add(
            "users", email=email, name=name, password_hash=self.password_hash, org_unit_id=unit,
            is_admin=flags.get("is_admin", False), is_recruiter=flags.get("is_recruiter", False),
            certification=certification,
            certification_since=None if certification == "none" else self.now - timedelta(days=3000),
            active=True, timezone="Europe/London",
            session_token=f"bench-token-{email}", created_at=self.now - timedelta(days=4000), last_login_at=None)

    def staff(self) -> Staff:
        scale = self.shape.staff_scale
        business = UNITS if scale == 1 else [f"{unit}, {region}" for region in REGIONS[:scale] for unit in UNITS]
        units = [self.rows.add("org_units", name=name, created_at=self.now - timedelta(days=4000))
                 for name in business + ["Talent Acquisition", "People Operations"]]
        self.unit_names = dict(zip(units, business, strict=False))
        talent, people_ops = units[-2], units[-1]
        middles = [""] + [f" {letter}." for letter in "ABCDEFGHJKLMNPRSTW"]
        names = (f"{first}{middle} {last}" for middle in middles for last in LAST for first in FIRST)
        taken: dict[int, str] = {}
        n_units = len(business)

        def make(email, unit, **flags):
            name = next(names)
            user = self.person(email, name, unit, **flags)
            taken[user] = name
            return user

        admin = make("admin@bench.test", people_ops, is_admin=True)
        recruiters = [make(RECRUITER_EMAIL, talent, is_recruiter=True)]
        recruiters += [make(f"recruiter{i}@bench.test", talent, is_recruiter=True) for i in range(1, 6 * scale)]
        managers = []
        for i in range(30 * scale):
            unit = units[i % n_units]
            managers.append((make("hm@bench.test" if i == 0 else f"hm{i}@bench.test", unit), unit))
        bar_raisers = []
        for i in range(24 * scale):
            unit = units[(i + 1) % n_units]  # the first one is outside Payments, hm@bench.test's unit
            email = "barraiser@bench.test" if i == 0 else f"barraiser{i}@bench.test"
            bar_raisers.append((make(email, unit, certification="certified"), unit))
        trainees = [make(f"shadow{i}@bench.test", units[i % n_units], certification="in_training")
                    for i in range(6 * scale)]
        interviewers = [make(f"interviewer{i}@bench.test", units[i % n_units]) for i in range(200 * scale)]
        return Staff(admin, recruiters, managers, bar_raisers, trainees, interviewers, taken)

    # -- requisitions -----------------------------------------------------------------------------------

    def requisition(self, staff: Staff, created: datetime, manager: tuple[int, int] | None = None,
                    recruiter: int | None = None, n_principles: int | None = None) -> tuple[int, list[int], int, int]:
        rnd = self.rnd
        manager = manager or rnd.choice(staff.managers)
        recruiter = recruiter or self.pick_recruiter(staff)
        title, level = rnd.choice(ROLES)
        unit_name = self.unit_names[manager[1]]
        principles = sorted(rnd.sample(self.principle_ids, n_principles or rnd.randint(4, 6)))
        req = self.rows.add(
            "requisitions", title=f"{title}, {unit_name}", level=level, org_unit_id=manager[1],
            hiring_manager_id=manager[0], recruiter_id=recruiter, job_description=rnd.choice(self.descriptions),
            status="approved", approved_at=created + timedelta(days=2), approved_by_id=manager[0], closed_at=None,
            created_at=created, version=1)
        for principle in principles:
            self.rows.add("requisition_principles", requisition_id=req, principle_id=principle)
        return req, principles, manager[0], recruiter

    def pick_recruiter(self, staff: Staff) -> int:
        # The measured recruiter runs a fixed share of the loops (see SHAPES): "a recruiter on many loops".
        if self.rnd.random() < self.shape.measured_share:
            return staff.recruiters[0]
        return self.rnd.choice(staff.recruiters[1:])

    # -- the whole company ------------------------------------------------------------------------------

    def build(self, principle_ids: list[int]) -> Rows:
        self.principle_ids = principle_ids
        staff = self.staff()
        span = timedelta(days=365 * self.n / self.shape.loops_per_year)
        start = self.now - span
        requisition = None
        loops_on_requisition = 0
        for i in range(self.n - 1):
            # Each loop draws from its own stream, numbered from the newest: the last year's loops, and so the
            # open pipeline the pages show, are the same loops at every size of a shape.
            self.rnd = random.Random(self.seed * 10**9 + self.n - i)
            created = start + span * (i / self.n) + timedelta(minutes=self.rnd.randint(0, 600))
            created = min(created, self.now - timedelta(hours=1))  # the bigger company's last hours
            if requisition is None or loops_on_requisition >= 8:
                requisition = self.requisition(staff, created - timedelta(days=7))
                loops_on_requisition = 0
            loops_on_requisition += 1
            LoopStory(self, staff, requisition, created).write()
        self.showcase(staff)
        self.close_filled_requisitions()
        seal_audit(self.rows)
        return self.rows

    def close_filled_requisitions(self) -> None:
        """Close each requisition whose loops have all ended, when the last one did, as a recruiter would."""
        ends: dict[int, list] = {}
        for loop in self.rows.tables.get("loops", []):
            ends.setdefault(loop["requisition_id"], []).append(loop["closed_at"] if loop["status"] != "open" else None)
        for requisition in self.rows.tables.get("requisitions", []):
            closed = ends.get(requisition["id"], [None])
            if None not in closed:
                requisition["status"], requisition["closed_at"] = "closed", max(closed)

    def showcase(self, staff: Staff) -> None:
        """Write the measured loop: identical at every size, at the debrief with eight in-house interviewers."""
        saved = self.rnd
        self.rnd = random.Random(2024)
        # Drawn from the older company's staff, which the bigger one begins with, so it is the same loop in both.
        staff = Staff(staff.admin, staff.recruiters[:6], staff.managers[:30], staff.bar_raisers[:24],
                      staff.trainees[:6], staff.interviewers[:200], staff.names)
        created = self.now - timedelta(days=40)
        requisition = self.requisition(staff, created - timedelta(days=10), manager=staff.managers[0],
                                       recruiter=staff.recruiters[0], n_principles=6)
        story = LoopStory(self, staff, requisition, created, bar_raiser=staff.bar_raisers[0][0],
                          candidate=SHOWCASE_CANDIDATE)
        story.plan_open_at(6, in_house=8)
        story.write()
        self.rnd = saved


class LoopStory:
    """One loop played forward from its creation: which steps it reaches, and what each step leaves behind."""

    def __init__(self, builder: Builder, staff: Staff, requisition, created: datetime,
                 bar_raiser: int | None = None, candidate: str | None = None):
        self.b, self.staff, self.rnd, self.rows = builder, staff, builder.rnd, builder.rows
        self.req_id, self.principles, self.manager, self.recruiter = requisition
        self.created = created
        self.candidate_name = candidate
        self.forced_bar_raiser = bar_raiser
        self.forced: tuple[int, int] | None = None
        self.first_votes: dict[int, str] = {}
        self.in_house: list = []

    def plan_open_at(self, step: int, in_house: int) -> None:
        self.forced = (step, in_house)

    # -- planning ---------------------------------------------------------------------------------------

    def plan(self) -> tuple[int, str, str | None, list[tuple[int, datetime]]]:
        """Return (last step, final status, debrief outcome, [(step, entered at)]) of the loop's full story."""
        r = self.rnd.random
        last, status, outcome = 8, "hired", None
        if r() < 0.18:
            last, status = 2, ("rejected" if r() < 0.9 else "withdrawn")
        elif r() < 0.18:
            last, status = 3, ("rejected" if r() < 0.85 else "withdrawn")
        elif r() < 0.04:
            last, status = 4, "withdrawn"
        else:
            roll = r()
            outcome = "no_hire" if roll < 0.45 else ("veto" if roll < 0.55 else "hire")
            if outcome != "hire":
                last, status = 6, "not_hired"
            elif r() < 0.06:
                last, status = 7, "withdrawn"
            else:
                roll = r()
                status = "hired" if roll < 0.8 else ("withdrawn" if roll < 0.95 else "rejected")
        days = {2: (1, 6), 3: (3, 10), 4: (7, 18), 5: (1, 3), 6: (1, 4), 7: (3, 9), 8: (2, 9)}
        entered, at = [], self.created
        for step in range(2, last + 1):
            entered.append((step, at))
            at = at + timedelta(days=self.rnd.uniform(*days[step]))
        entered.append((None, at))  # when the last step ends (the loop closes)
        return last, status, outcome, entered

    # -- writing ----------------------------------------------------------------------------------------

    def write(self) -> None:
        b, rows, rnd = self.b, self.rows, self.rnd
        now = b.now
        if self.forced:
            step_now, in_house_count = self.forced
            entered = [(s, self.created + timedelta(days=7 * (s - 2))) for s in range(2, step_now + 1)]
            entered.append((None, now + timedelta(days=3)))
            last, status, outcome = step_now, "open", None
        else:
            last, status, outcome, entered = self.plan()
            in_house_count = rnd.choice((6, 7, 7, 8))
        ends = self.ends = entered[-1][1]
        # Where the story stands now: the step whose time includes now, or the end if it is over.
        reached = last
        if ends > now:
            status, reached = "open", max(s for s, at in entered[:-1] if at <= now)
        step_at = dict(entered[:-1])
        closed_at = None if status == "open" else ends
        name = self.candidate_name or f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
        candidate = rows.add(
            "candidates", name=name, email=f"candidate{rows.ids.get('candidates', 0) + 1}@mail.test",
            phone=None, source=rnd.choice(SOURCES), resume_url="https://cv.example/r/" + str(rnd.getrandbits(32)),
            resume_file=None, resume_filename=None, notes="", created_by_id=self.recruiter,
            created_at=self.created - timedelta(days=1))
        needs_bar_raiser = reached >= 4
        bar_raiser = self.forced_bar_raiser or (self.pick_bar_raiser() if needs_bar_raiser else None)
        shadow = rnd.choice(self.staff.trainees) if needs_bar_raiser and rnd.random() < 0.1 else None
        close_reason = None
        if status in ("rejected", "not_hired", "withdrawn"):
            pool = {2: REJECT_RESUME, 3: REJECT_PHONE}.get(reached, ["The debrief decided not to hire."])
            close_reason = rnd.choice(WITHDRAW if status == "withdrawn" else pool)
        closer = self.recruiter if status in ("withdrawn", "rejected", "hired") else self.manager
        loop = rows.add(
            "loops", requisition_id=self.req_id, candidate_id=candidate, recruiter_id=self.recruiter,
            hiring_manager_id=self.manager, bar_raiser_id=bar_raiser, shadow_id=shadow, step=reached,
            status=status, close_reason=close_reason, closed_at=closed_at,
            closed_by_id=None if status == "open" else closer, step_entered_at=step_at[reached],
            created_at=self.created, version=1)
        self.loop, self.bar_raiser, self.shadow, self.candidate = loop, bar_raiser, shadow, candidate
        self.audit("loop.created", self.created, self.recruiter, "Loop", loop, to_state=STEP_LABELS[2],
                   personal={"candidate": name},
                   requisition=self.rows.tables["requisitions"][self.req_id - 1]["title"])
        for step in range(2, reached + 1):
            self.write_step(step, step_at, reached, status, outcome, in_house_count)
        if status == "hired":
            requisition = self.rows.tables["requisitions"][self.req_id - 1]
            requisition.update(status="closed", closed_at=max(ends, requisition["closed_at"] or ends))
        if status != "open":
            self.audit("loop.closed", ends, closer, "Loop", loop, from_state=STEP_LABELS[reached],
                       to_state=status.replace("_", " ").capitalize(), reason=close_reason or "")

    def pick_bar_raiser(self) -> int:
        manager_unit = next(unit for user, unit in self.staff.managers if user == self.manager)
        while True:
            user, unit = self.rnd.choice(self.staff.bar_raisers)
            if unit != manager_unit:
                return user

    def audit(self, action: str, at: datetime, actor: int | None, subject_type: str, subject_id: int | None,
              from_state=None, to_state=None, reason: str = "", personal: dict | None = None, **details) -> None:
        """Write an entry as app.audit.services.record would; what names the candidate is kept apart."""
        entry = {"at": at, "actor_id": actor, "action": action, "subject_type": subject_type,
                 "subject_id": subject_id, "loop_id": self.loop, "from_state": from_state, "to_state": to_state,
                 "reason": reason, "details": details, "personal_digest": None}
        if reason or personal:  # every entry here is about the loop's candidate
            entry["reason"] = ""
            entry["_personal"] = (self.candidate, reason, personal or None)
        self.rows.tables.setdefault("audit_entries", []).append(entry)

    def advanced(self, step: int, at: datetime, actor: int) -> None:
        self.audit("loop.advanced", at, actor, "Loop", self.loop, from_state=STEP_LABELS[step],
                   to_state=STEP_LABELS[step + 1])

    def write_step(self, step: int, step_at: dict, reached: int, status: str, outcome: str | None,
                   in_house_count: int) -> None:
        rnd, now = self.rnd, self.b.now
        start = step_at[step]
        leaves = step_at.get(step + 1)  # None: the loop is still here, or closed here
        closed_here = step == reached and status != "open"
        if step in (2, 3):
            if step == 3:
                interview = self.interview("phone_screen", self.manager, start + timedelta(days=2), 45,
                                           self.principles[:2])
            decided = leaves or (self.ends - timedelta(hours=1) if closed_here else None)
            if closed_here and status == "withdrawn":
                decided = None
            if step == 3 and decided is None and start + timedelta(days=3) < now and rnd.random() < 0.7:
                self.feedback(interview, self.manager, start + timedelta(days=2, hours=3), self.principles[:2])
            elif step == 3 and (decided is not None or closed_here):
                self.feedback(interview, self.manager, start + timedelta(days=2, hours=3), self.principles[:2])
            if decided is not None and decided <= now:
                reject = closed_here and status == "rejected"
                reason = ({2: REJECT_RESUME, 3: REJECT_PHONE}[step][0]) if reject else ""
                decider = self.manager if step == 3 or rnd.random() < 0.5 else self.recruiter
                self.rows.add("screen_decisions", loop_id=self.loop, step=step,
                              outcome="reject" if reject else "advance", reason=reason, decided_by_id=decider,
                              decided_at=decided)
                self.audit("loop.screen_decided", decided, decider, "ScreenDecision", None,
                           from_state=STEP_LABELS[step], to_state="reject" if reject else "advance", reason=reason)
        elif step == 4:
            self.in_house = self.schedule_in_house(start, in_house_count)
        elif step == 5:
            for interview, interviewer, principles, ends_at in self.in_house:
                hours = rnd.lognormvariate(2.3, 0.9)  # median about 10 hours, a long tail past the 24-hour due time
                submitted = ends_at + timedelta(hours=hours)
                if leaves is not None:  # everything was in before the loop moved on
                    submitted = min(submitted, leaves - timedelta(minutes=30))
                if leaves is None and not closed_here and submitted > now:
                    if rnd.random() < 0.5:
                        self.feedback(interview, interviewer, None, principles)  # a draft
                    continue
                self.feedback(interview, interviewer, submitted, principles, counted_vote=True)
            if self.shadow and self.in_house:
                interview, _, principles, ends_at = self.in_house[0]
                self.feedback(interview, self.shadow, ends_at + timedelta(hours=5), principles, practice=True)
        elif step == 6:
            self.debrief(start, leaves, closed_here, outcome)
        elif step == 7:
            references = 2 if leaves else rnd.randint(0, 1)
            for n in range(references):
                at = start + timedelta(days=1 + n)
                if at > now:
                    break
                self.rows.add("loop_references", loop_id=self.loop, name=f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
                              relation=rnd.choice(["former manager", "former peer", "skip-level manager"]),
                              contacted_on=at.date(), summary=rnd.choice(self.b.evidence)[:400],
                              outcome="supports" if rnd.random() < 0.9 else "concerns",
                              recorded_by_id=self.recruiter, recorded_at=at)
                self.audit("reference.recorded", at, self.recruiter, "Reference", None, to_state="supports")
        elif step == 8:
            extended = start + timedelta(days=1)
            if extended <= now:
                resolved = {"hired": "accepted", "withdrawn": "declined", "rejected": "rescinded"}.get(status)
                resolved_at = self.ends if resolved else None
                self.rows.add("offers", loop_id=self.loop, status=resolved or "extended",
                              terms="Base, equity and sign-on as approved by the compensation committee.",
                              extended_at=extended, extended_by_id=self.recruiter,
                              resolved_at=resolved_at if resolved else None,
                              resolved_by_id=self.recruiter if resolved else None, version=1)
                self.audit("offer.extended", extended, self.recruiter, "Offer", None, to_state="Extended")
        if leaves is not None and leaves <= now and step < 8:
            mover = self.manager if step in (3, 6) else self.recruiter
            self.advanced(step, leaves, mover)

    def schedule_in_house(self, start: datetime, count: int) -> list:
        rnd = self.rnd
        people = [self.bar_raiser] + rnd.sample(self.staff.interviewers, count - 1)
        # Everyone probes two principles, handed out in turn, so every target principle is covered.
        targets = self.principles
        assignment = {person: [targets[(2 * n) % len(targets)], targets[(2 * n + 1) % len(targets)]]
                      for n, person in enumerate(people)}
        day = (start + timedelta(days=rnd.randint(3, 6))).replace(hour=9, minute=0, second=0, microsecond=0)
        interviews = []
        for n, person in enumerate(people):
            starts = day + timedelta(hours=n)
            principles = sorted(set(assignment[person]))
            interview = self.interview("in_house", person, starts, 60, principles)
            interviews.append((interview, person, principles, starts + timedelta(minutes=60)))
        return interviews

    def interview(self, kind: str, interviewer: int, starts: datetime, minutes: int, principles: list[int]) -> int:
        interview = self.rows.add(
            "interviews", loop_id=self.loop, kind=kind, interviewer_id=interviewer, starts_at=starts,
            duration_minutes=minutes, location="Room 4.12" if kind == "in_house" else "https://meet.example/b",
            created_at=starts - timedelta(days=2))
        for principle in principles:
            self.rows.add("interview_principles", interview_id=interview, principle_id=principle)
        self.audit("interview.scheduled", starts - timedelta(days=2), self.recruiter, "Interview", interview,
                   interviewer=self.staff.names.get(interviewer, ""), kind=kind, starts_at=starts.isoformat())
        return interview

    def feedback(self, interview: int, author: int, submitted: datetime | None, principles: list[int],
                 practice: bool = False, counted_vote: bool = False) -> None:
        """Write feedback as a draft with its ratings; `version=0` marks it for sealing (see `seal_feedback`)."""
        rnd = self.rnd
        vote = rnd.choices(VOTES, weights=(2, 4, 3, 1))[0]
        positive = vote in VOTES[:2]
        written = submitted or (self.b.now - timedelta(hours=2))
        feedback = self.rows.add(
            "feedback", interview_id=interview, author_id=author, is_practice=practice, status="draft",
            vote=vote, raises_bar=positive if rnd.random() < 0.85 else not positive,
            summary=rnd.choice(self.b.summaries), submitted_at=None, created_at=written - timedelta(hours=1),
            updated_at=written, version=0 if submitted else 1)
        for principle in principles:
            rating = rnd.choices(RATINGS, weights=(3, 5, 3, 1) if positive else (1, 3, 5, 2))[0]
            self.rows.add("feedback_ratings", feedback_id=feedback, principle_id=principle, rating=rating,
                          evidence=rnd.choice(self.b.evidence))
        if submitted:
            self.audit("feedback.practice_submitted" if practice else "feedback.submitted", submitted, author,
                       "Feedback", feedback)
            if counted_vote:
                self.first_votes[author] = vote

    def debrief(self, start: datetime, leaves: datetime | None, closed_here: bool, outcome: str | None) -> None:
        rnd, now = self.rnd, self.b.now
        for interviewer, first in list(self.first_votes.items()):
            if rnd.random() < 0.3:
                changed = rnd.random() < 0.25
                vote = rnd.choice([v for v in VOTES if v != first]) if changed else first
                self.rows.add("final_votes", loop_id=self.loop, interviewer_id=interviewer, first_vote=first,
                              vote=vote, reason="The references of the bar raiser's question changed my mind."
                              if changed else "", recorded_at=start + timedelta(hours=2))
        decided = leaves - timedelta(hours=4) if leaves else (self.ends - timedelta(hours=4) if closed_here else None)
        if decided is None or decided > now:
            return
        hire = outcome in ("hire", "veto")
        rationale = rnd.choice(self.b.summaries)
        verdict = {"hire": "concur", "veto": "veto"}.get(outcome)
        self.rows.add("debrief_decisions", loop_id=self.loop, outcome="hire" if hire else "no_hire",
                      rationale=rationale, decided_by_id=self.manager, decided_at=decided,
                      verdict=verdict, verdict_rationale=rnd.choice(self.b.summaries) if verdict else None,
                      verdict_by_id=self.bar_raiser if verdict else None,
                      verdict_at=decided + timedelta(hours=3) if verdict else None, version=1)
        self.audit("debrief.decided", decided, self.manager, "DebriefDecision", None,
                   to_state="Hire" if hire else "No hire")
        if verdict:
            self.audit("debrief.vetoed" if verdict == "veto" else "debrief.concurred",
                       decided + timedelta(hours=3), self.bar_raiser, "DebriefDecision", None)


# -- the audit trail ---------------------------------------------------------------------------------------

def seal_audit(rows: Rows, seed: int = 7) -> None:
    """Number the entries in the order of their time, keep their personal data apart, and chain them.

    Uses app/audit/chain.py's `entry_hash` and `personal_digest`, so `flask verify-audit` accepts the trail
    as it accepts one the app wrote entry by entry.
    """
    salts = random.Random(seed)
    entries = rows.tables.get("audit_entries", [])
    entries.sort(key=lambda entry: entry["at"])
    personal_rows = []
    head = GENESIS
    for seq, entry in enumerate(entries, 1):
        entry["id"] = seq
        personal = entry.pop("_personal", None)
        if personal:
            candidate, reason, details = personal
            salt = f"{salts.getrandbits(128):032x}"
            entry["personal_digest"] = personal_digest(salt, reason or "", details)
            personal_rows.append({"entry_id": seq, "candidate_id": candidate, "salt": salt, "reason": reason or "",
                                  "details": details, "erased_at": None})
        digest = entry_hash(entry, seq, head)
        entry.update(seq=seq, prev_hash=head, entry_hash=digest)
        head = digest
    rows.ids["audit_entries"] = len(entries)
    rows.tables["audit_personal_data"] = personal_rows
    rows.chain_head = (len(entries), head)


def principle_ids(connection: sa.Connection) -> list[int]:
    return [row[0] for row in connection.execute(sa.text("SELECT id FROM principles ORDER BY position"))]


def build_company(engine: sa.Engine, n_loops: int, shape: Shape = SHAPES["older"],
                  now: datetime | None = None) -> dict[str, int]:
    """Fill a freshly migrated database with a company of `n_loops` loops; return the row counts.

    The rows go around the session and the triggers: the cheap derived rows (retention dates, loop members) are
    made here, set-based; the metrics rollups by `flask rebuild-metrics` afterwards (`bench.cache.finish`, which
    runs every `flask rebuild-*` command)."""
    from bench.bulk import ORDER, insert_all

    now = now or datetime.now(UTC)
    builder = Builder(n_loops, now, shape)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # The rows are written with their final values: the triggers that keep the rules and move report
            # versions (one UPDATE of a loop per row inserted) would only make loading many times slower.
            connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        rows = builder.build(principle_ids(connection))
        insert_all(connection, rows)
        # The retention dates (app/retention/rules.refresh_dates): no policy yet, so no erasure date.
        connection.execute(sa.text(
            "INSERT INTO retention_dates (candidate_id, loops_closed_at) SELECT l.candidate_id, max(l.closed_at) "
            "FROM loops l JOIN candidates c ON c.id = l.candidate_id WHERE c.anonymized_at IS NULL "
            "GROUP BY l.candidate_id HAVING count(l.closed_at) = count(*)"))
        rebuild_members(connection)  # around the triggers (replica mode on PostgreSQL): list who takes part
    counts = {name: rows.count(name) for name in ORDER}
    with engine.connect() as connection:
        counts["open loops"] = connection.execute(sa.text("SELECT count(*) FROM loops WHERE status = 'open'")).scalar()
        counts["users"] = connection.execute(sa.text("SELECT count(*) FROM users")).scalar()
    return counts
