"""Write one demo loop's history: rows as the services leave them, audited at the times they happened.

The database guards shape the order of writes: ratings go in while feedback is
still a draft, a debrief decision is written once with its verdict, and a loop
is closed last because a closed loop cannot be changed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.audit.models import AuditEntry
from app.audit.services import record
from app.candidates.models import Candidate
from app.debrief.models import BriefStatus, DebriefBrief, DebriefDecision, FinalVote, Verdict
from app.extensions import db
from app.feedback.models import Amendment, Feedback, FeedbackRating, FeedbackStatus
from app.interviews.models import Interview, InterviewKind
from app.kits import services as kits
from app.loops.models import Loop, LoopStatus, ScreenDecision, ScreenOutcome, Step
from app.offers.models import Offer, OfferStatus
from app.people.models import User
from app.principles.models import Principle
from app.references.models import Reference
from app.requisitions.models import Requisition


@dataclass(frozen=True)
class Rated:
    """One principle's rating with the evidence behind it."""

    principle: str
    rating: str
    evidence: str


@dataclass(frozen=True)
class Note:
    """A feedback as its author wrote it; `hours` after the interview ends it was submitted.

    `hours=None` leaves it a saved draft; a note with no ratings, vote or
    summary is an interview whose feedback nobody has started (`probes` then
    names the principles assigned to it).
    """

    author: str
    ratings: tuple[Rated, ...] = ()
    vote: str | None = None
    raises_bar: bool | None = None
    summary: str = ""
    hours: float | None = 3.0
    probes: tuple[str, ...] = ()

    @property
    def principles(self) -> list[str]:
        return [rated.principle for rated in self.ratings] or list(self.probes)

    @property
    def is_started(self) -> bool:
        return bool(self.ratings or self.vote or self.summary)


def planned(author: str, *principles: str) -> Note:
    """Return an interview's assignment with no feedback written yet."""
    return Note(author, hours=None, probes=principles)


class Calendar:
    """Days counted from today's midnight UTC: negative days are past, positive ones upcoming."""

    def __init__(self, now: datetime):
        self.midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)

    def day(self, offset: int, hour: int = 0, minute: int = 0) -> datetime:
        return self.midnight + timedelta(days=offset, hours=hour, minutes=minute)


@dataclass
class Company:
    """What a loop story draws on, each keyed by e-mail, name or short key."""

    calendar: Calendar
    people: dict[str, User] = field(default_factory=dict)
    principles: dict[str, Principle] = field(default_factory=dict)
    requisitions: dict[str, Requisition] = field(default_factory=dict)
    candidates: dict[str, Candidate] = field(default_factory=dict)


def stamp_pending_audit(at: datetime) -> None:
    """Date the audit entries a service just added (they default to the present) to `at`."""
    for obj in db.session.new:
        if isinstance(obj, AuditEntry):
            obj.at = at


@dataclass
class LoopWriter:
    """Build a loop forward through its steps, recording each move in the audit trail."""

    people: dict[str, User]
    principles: dict[str, Principle]
    loop: Loop
    feedback: dict[str, Feedback] = field(default_factory=dict)

    @classmethod
    def open(cls, company: Company, requisition: str, candidate: str, at: datetime, *,
             bar_raiser: str | None = None, shadow: str | None = None,
             reverse_shadow: bool = False) -> "LoopWriter":
        """Create the loop at step 2, as the recruiter does against an approved requisition."""
        people = company.people
        requisition, candidate = company.requisitions[requisition], company.candidates[candidate]
        loop = Loop(
            requisition=requisition, candidate=candidate, recruiter=requisition.recruiter,
            hiring_manager=requisition.hiring_manager,
            bar_raiser=people[bar_raiser] if bar_raiser else None,
            shadow=people[shadow] if shadow else None, is_reverse_shadow=reverse_shadow,
            step=Step.RESUME_REVIEW, status=LoopStatus.OPEN, step_entered_at=at, created_at=at,
        )
        db.session.add(loop)
        db.session.flush()
        writer = cls(people, company.principles, loop)
        writer.audit("loop.created", loop, loop.recruiter, at, to_state=Step.RESUME_REVIEW.label,
                     personal={"candidate": candidate.name}, requisition=requisition.title,
                     bar_raiser=loop.bar_raiser and loop.bar_raiser.email,
                     shadow=loop.shadow and loop.shadow.email)
        return writer

    def audit(self, action: str, subject, actor: User | None, at: datetime, **kwargs) -> None:
        record(action, subject, actor, loop=self.loop, at=at, **kwargs)

    def advance(self, at: datetime, actor: User, reason: str = "") -> None:
        """Move the loop one step forward."""
        before = self.loop.step
        self.loop.step = before + 1
        self.loop.step_entered_at = at
        self.audit("loop.advanced", self.loop, actor, at, from_state=Step(before).label,
                   to_state=Step(before + 1).label,
                   reason=reason)

    def advance_after_interviews(self, reason: str = "All in-house interviews have taken place.") -> None:
        """Move to written feedback a quarter of an hour after the last in-house interview ends."""
        last = max(i.ends_at for i in self.loop.interviews if i.kind == InterviewKind.IN_HOUSE)
        self.advance(last + timedelta(minutes=15), self.loop.recruiter, reason)

    def advance_after_feedback(self, reason: str = "Every in-house interview has submitted feedback.") -> None:
        """Move to the debrief half an hour after the last counted feedback is submitted."""
        last = max(f.submitted_at for f in self.feedback.values())
        self.advance(last + timedelta(minutes=30), self.loop.recruiter, reason)

    def screen(self, outcome: str, at: datetime, actor: User, reason: str = "") -> None:
        """Record the résumé screen (step 2) or the phone-screen decision (step 3)."""
        decision = ScreenDecision(loop=self.loop, step=self.loop.step, outcome=outcome, reason=reason,
                                  decided_by=actor, decided_at=at)
        db.session.add(decision)
        db.session.flush()
        self.audit("loop.screen_decided", self.loop, actor, at, from_state=Step(self.loop.step).label,
                   to_state=outcome,
                   reason=reason)
        if outcome == ScreenOutcome.ADVANCE:
            self.advance(at, actor)

    def interview(self, kind: str, author: str, principles: list[str], starts_at: datetime, *,
                  minutes: int = 60, location: str = "", scheduled_at: datetime) -> Interview:
        interview = Interview(
            loop=self.loop, kind=kind, interviewer=self.people[author], starts_at=starts_at,
            duration_minutes=minutes, location=location, created_at=scheduled_at,
            principles=[self.principles[name] for name in principles],
        )
        db.session.add(interview)
        db.session.flush()
        kits.plan_interview(interview)
        return interview

    def phone_screen(self, note: Note, starts_at: datetime, *, scheduled_at: datetime) -> Interview:
        """Schedule the hiring manager's phone screen and write its feedback if there is any."""
        interview = self.interview(
            InterviewKind.PHONE_SCREEN, note.author, note.principles, starts_at, minutes=45,
            location="Phone call to the number on file", scheduled_at=scheduled_at,
        )
        if note.is_started:
            self.write_feedback(interview, note)
        return interview

    def in_house(self, notes: list[Note], first_start: datetime, *, scheduled_at: datetime,
                 location: str) -> list[Interview]:
        """Schedule back-to-back in-house interviews, one per note, and write the feedback written so far."""
        interviews = []
        for i, note in enumerate(notes):
            interviews.append(self.interview(
                InterviewKind.IN_HOUSE, note.author, note.principles, first_start + timedelta(minutes=75 * i),
                location=location, scheduled_at=scheduled_at,
            ))
        for interview, note in zip(interviews, notes, strict=True):
            if note.is_started:
                self.write_feedback(interview, note)
        return interviews

    def write_feedback(self, interview: Interview, note: Note, *, practice: bool = False) -> Feedback:
        """Save the note as a draft with its ratings, then seal it if it was submitted."""
        author = self.people[note.author]
        written = interview.ends_at + timedelta(minutes=40)
        feedback = Feedback(
            interview=interview, author=author, is_practice=practice, summary=note.summary,
            created_at=written, updated_at=written,
            ratings=[FeedbackRating(principle=self.principles[r.principle], rating=r.rating, evidence=r.evidence)
                     for r in note.ratings],
        )
        if note.hours is None:
            feedback.vote, feedback.raises_bar = note.vote, note.raises_bar
            feedback.updated_at = written + timedelta(hours=1, minutes=20)
        db.session.add(feedback)
        db.session.flush()
        if not practice:
            self.tick_questions(feedback, interview)
        if note.hours is not None:
            rated = [(r.principle_id, r.rating, r.evidence) for r in feedback.ratings]
            kits.keep_flags(feedback, kits.coaching_flags(rated, feedback.summary))
            submitted = interview.ends_at + timedelta(hours=note.hours)
            feedback.status, feedback.vote, feedback.raises_bar = FeedbackStatus.SUBMITTED, note.vote, note.raises_bar
            feedback.submitted_at = feedback.updated_at = submitted
            db.session.flush()
            self.audit("feedback.practice_submitted" if practice else "feedback.submitted", feedback, author,
                       submitted, to_state=FeedbackStatus.SUBMITTED)
        if not practice and interview.kind == InterviewKind.IN_HOUSE:
            self.feedback[note.author] = feedback
        return feedback

    def tick_questions(self, feedback: Feedback, interview: Interview) -> None:
        """Say the interviewer asked the first question their kit holds for each principle."""
        asked = {}
        for plan in kits.planned_for(interview):
            asked.setdefault(plan.principle_id, [plan.id])
        kits.record_asked(feedback, [kits.AskedInput(principle_id, ids) for principle_id, ids in asked.items()])

    def amend(self, author: str, body: str, at: datetime) -> None:
        feedback = self.feedback[author]
        amendment = Amendment(feedback=feedback, author=self.people[author], body=body, created_at=at)
        db.session.add(amendment)
        db.session.flush()
        self.audit("feedback.amended", feedback, self.people[author], at)

    def summary(self, author: str, body: str, at: datetime) -> None:
        """The bar raiser's pre-debrief summary, written from the outline and marked ready."""
        db.session.add(DebriefBrief(loop=self.loop, author=self.people[author], body=body,
                                    status=BriefStatus.READY, ready_at=at, updated_at=at))
        db.session.flush()
        self.audit("debrief.summary_ready", self.loop, self.people[author], at)

    def final_vote(self, author: str, vote: str, at: datetime, reason: str = "") -> None:
        first = self.feedback[author].vote
        db.session.add(FinalVote(loop_id=self.loop.id, interviewer=self.people[author], first_vote=first,
                                 vote=vote, reason=reason, recorded_at=at))
        self.audit("debrief.final_vote", self.loop, self.people[author], at, from_state=first, to_state=vote,
                   reason=reason)

    def decide(self, outcome: str, rationale: str, at: datetime, *, verdict: str | None = None,
               verdict_rationale: str | None = None, verdict_at: datetime | None = None) -> None:
        """Write the hiring manager's decision and, on a Hire, the bar raiser's verdict, in one insert."""
        manager, bar_raiser = self.loop.hiring_manager, self.loop.bar_raiser
        decision = DebriefDecision(
            loop_id=self.loop.id, outcome=outcome, rationale=rationale, decided_by=manager, decided_at=at,
            verdict=verdict, verdict_rationale=verdict_rationale,
            verdict_by=bar_raiser if verdict else None, verdict_at=verdict_at if verdict else None,
        )
        db.session.add(decision)
        db.session.flush()
        self.audit("debrief.decided", decision, manager, at, to_state=outcome, reason=rationale)
        if verdict:
            self.audit("debrief.vetoed" if verdict == Verdict.VETO else "debrief.concurred", decision,
                       bar_raiser, verdict_at, to_state=verdict, reason=verdict_rationale)

    def reference(self, name: str, relation: str, contacted_on: date, summary: str, outcome: str,
                  at: datetime, by: User | None = None) -> None:
        by = by or self.loop.recruiter
        reference = Reference(loop_id=self.loop.id, name=name, relation=relation, contacted_on=contacted_on,
                              summary=summary, outcome=outcome, recorded_by=by, recorded_at=at)
        db.session.add(reference)
        db.session.flush()
        self.audit("reference.recorded", reference, by, at, to_state=outcome)

    def offer(self, terms: str, extended_at: datetime, *, accepted_at: datetime | None = None) -> None:
        recruiter = self.loop.recruiter
        offer = Offer(loop_id=self.loop.id, terms=terms, extended_at=extended_at, extended_by=recruiter,
                      status=OfferStatus.ACCEPTED if accepted_at else OfferStatus.EXTENDED,
                      resolved_at=accepted_at, resolved_by=recruiter if accepted_at else None)
        db.session.add(offer)
        db.session.flush()
        self.audit("offer.extended", offer, recruiter, extended_at, to_state=OfferStatus.EXTENDED)
        if accepted_at:
            self.audit("offer.accepted", offer, recruiter, accepted_at, from_state=OfferStatus.EXTENDED,
                       to_state=OfferStatus.ACCEPTED)

    def close(self, status: str, reason: str, at: datetime, actor: User) -> None:
        """Close the loop; the last write, since a closed loop is read-only."""
        db.session.flush()
        self.audit("loop.closed", self.loop, actor, at, from_state=Step(self.loop.step).label,
                   to_state=LoopStatus(status).label, reason=reason)
        self.loop.status, self.loop.close_reason = status, reason
        self.loop.closed_at, self.loop.closed_by = at, actor
        db.session.flush()
