"""The program page's numbers: each member's state, progress, load and record as a bar raiser.

Loads are the open loops, counted for everyone at once by the loops' status
index. Records (loops this year, verdicts, vetoes, decided debriefs and
agreement) are summed from the metrics rollups' per-bar-raiser rows, one per
bar raiser and month, not from every loop a bar raiser ever ran; the same
figures counted from the records (`direct=True`) are what the tests check
them against. Trainees' progress is asked of the path
(app/program/certification.py), so the page and the moves count alike, for
everyone at once. So the page runs the same statements however many people
are on the path and however many loops they ran.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import and_, func, or_, select

from app.db_types import constant, utcnow
from app.debrief.models import DebriefDecision, FinalVote, Outcome, PracticeVerdict, Verdict
from app.extensions import db
from app.feedback.models import Feedback, FeedbackStatus, Vote
from app.interviews.models import Interview, InterviewKind
from app.loops.models import Loop, LoopStatus
from app.metrics.models import MetricRollup
from app.metrics.tally import month_of
from app.people.models import Certification, User
from app.program import certification as path
from app.program.models import SignOff


@dataclass
class Member:
    user: User
    state: Certification
    progress: str
    active_loops: int = 0
    loops_this_year: int = 0
    decided: int = 0  # debriefs with a decision where they were the bar raiser
    verdicts: int = 0
    vetoes: int = 0
    agreed: int = 0  # the bar raiser's call (verdict, else vote) matched the hiring manager's decision
    sign_offs: list[SignOff] = field(default_factory=list)

    @property
    def veto_rate(self) -> float | None:
        return 100 * self.vetoes / self.verdicts if self.verdicts else None

    @property
    def agreement(self) -> float | None:
        return 100 * self.agreed / self.decided if self.decided else None


@dataclass
class PathCounts:
    """What the path has counted of some people, each asked once for all of them."""

    shadowed: dict[int, int]
    reverse_shadowed: dict[int, int]
    sign_offs: dict[int, list[SignOff]]


def path_counts(people: list[User]) -> PathCounts:
    """Count, for everyone at once, what `progress_text` says of those it concerns (a statement apiece)."""
    def at(*states):
        return [p for p in people if p.certification in states]

    return PathCounts(path.shadowed_loops_of(at(Certification.IN_TRAINING, Certification.SHADOWING)),
                      path.reverse_shadowed_loops_of(at(Certification.REVERSE_SHADOW)),
                      path.sign_offs_of(at(Certification.REVERSE_SHADOW)))


def progress_text(user: User, counts: PathCounts | None = None) -> str:
    """Where the person stands towards their next state, in a line."""
    config = current_app.config
    state = Certification(user.certification)
    if state in (Certification.IN_TRAINING, Certification.SHADOWING, Certification.REVERSE_SHADOW):
        counts = counts or path_counts([user])
    if state == Certification.NOMINATED:
        return "Awaiting an admin to accept the nomination."
    if state == Certification.IN_TRAINING:
        done = counts.shadowed.get(user.id, 0)
        return f"In training; {done} loop{'' if done == 1 else 's'} shadowed so far."
    if state == Certification.SHADOWING:
        need = config["BAR_RAISER_SHADOW_LOOPS"]
        return f"{counts.shadowed.get(user.id, 0)} of {need} loops shadowed with practice feedback."
    if state == Certification.REVERSE_SHADOW:
        need = config["BAR_RAISER_REVERSE_SHADOW_LOOPS"]
        return (f"{counts.reverse_shadowed.get(user.id, 0)} of {need} reverse-shadow loop{'' if need == 1 else 's'}; "
                f"{len(counts.sign_offs.get(user.id, []))} of {config['BAR_RAISER_SIGN_OFFS']} sign-offs.")
    if state == Certification.CERTIFIED:
        return "Certified."
    if state == Certification.PAUSED:
        return "Paused: not offered as a bar raiser."
    return "Retired."


def counts(query) -> dict[int, int]:
    return dict(db.session.execute(query).all())


def members(include_retired: bool = False, direct: bool = False) -> list[Member]:
    """Everyone on the path (and, if asked, those who left it), with their numbers.

    Records come from the rollups; with `direct`, from the loops and debriefs themselves.
    """
    query = select(User).where(User.certification != Certification.NONE).order_by(User.name)
    if not include_retired:
        query = query.where(User.certification != Certification.RETIRED)
    people = db.session.scalars(query).all()
    active_br = counts(select(Loop.bar_raiser_id, func.count()).where(Loop.status == LoopStatus.OPEN)
                       .group_by(Loop.bar_raiser_id))
    active_shadow = counts(select(Loop.shadow_id, func.count()).where(Loop.status == LoopStatus.OPEN)
                           .group_by(Loop.shadow_id))
    ids = [p.id for p in people]
    records = counted_records(ids) if direct else rolled_records(ids)
    progress = path_counts(people)
    rows = []
    for person in people:
        member = Member(person, Certification(person.certification), progress_text(person, progress),
                        active_loops=active_br.get(person.id, 0) + active_shadow.get(person.id, 0))
        record = records.get(person.id)
        if record is not None:
            member.loops_this_year, member.decided, member.verdicts, member.vetoes, member.agreed = (
                record["this_year"], record["decided"], record["verdicts"], record["vetoes"], record["agreed"])
        member.sign_offs = progress.sign_offs.get(person.id, [])
        rows.append(member)
    return rows


def year_start() -> datetime:
    return datetime(utcnow().year, 1, 1, tzinfo=UTC)


def rolled_records(ids: list[int]) -> dict[int, Counter]:
    """Each bar raiser's record from their rollup rows: all time's, and this calendar year's for the loops of the
    year (two rows a bar raiser, read by the (grain, bar raiser, span) index, however long their history)."""
    if not ids:
        return {}
    this_year = month_of(year_start())
    records: dict[int, Counter] = defaultdict(Counter)
    for bar_raiser, span, data in db.session.execute(
            select(MetricRollup.bar_raiser_id, MetricRollup.span, MetricRollup.data)
            .where(MetricRollup.grain == "bar_raiser", MetricRollup.person_id == 0,
                   MetricRollup.bar_raiser_id.in_(ids),
                   or_(MetricRollup.span == constant("all"),
                       and_(MetricRollup.span == constant("year"), MetricRollup.month == this_year)))):
        record, tally = records[bar_raiser], data["c"]
        if span == "all":
            for name in ("decided", "verdicts", "vetoes", "agreed"):
                record[name] += tally.get(name, 0)
        else:
            record["this_year"] += tally.get("loops", 0)
    return records


def counted_records(ids: list[int]) -> dict[int, Counter]:
    """The same records counted from every loop and debrief of theirs: what the rollups must always give."""
    if not ids:
        return {}
    records: dict[int, Counter] = defaultdict(Counter)
    for bar_raiser, n in db.session.execute(
            select(Loop.bar_raiser_id, func.count()).where(Loop.created_at >= year_start(), Loop.bar_raiser_id.in_(ids))
            .group_by(Loop.bar_raiser_id)):
        records[bar_raiser]["this_year"] = n
    decisions = db.session.execute(
        select(Loop.id, Loop.bar_raiser_id, DebriefDecision.outcome, DebriefDecision.verdict)
        .join(DebriefDecision, DebriefDecision.loop_id == Loop.id)
        .where(Loop.bar_raiser_id.in_(ids))
    ).all()
    votes = bar_raiser_votes([d.id for d in decisions])
    for d in decisions:
        record = records[d.bar_raiser_id]
        record["decided"] += 1
        if d.verdict is not None:
            record["verdicts"] += 1
            record["vetoes"] += d.verdict == Verdict.VETO
        # Their call: the verdict where they gave one (concur is a hire, veto is not), else their vote.
        vote = votes.get((d.id, d.bar_raiser_id))
        if d.verdict is not None:
            says_hire = d.verdict == Verdict.CONCUR
        elif vote is not None:
            says_hire = Vote(vote).is_positive
        else:
            continue
        record["agreed"] += says_hire == (d.outcome == Outcome.HIRE)
    return records


def bar_raiser_votes(loop_ids: list[int]) -> dict[tuple[int, int], str]:
    """Each (loop, interviewer)'s vote at the debrief: the final one if recorded, else the first."""
    if not loop_ids:
        return {}
    first = db.session.execute(
        select(Interview.loop_id, Feedback.author_id, Feedback.vote)
        .join(Feedback, Feedback.interview_id == Interview.id)
        .where(Interview.loop_id.in_(loop_ids), Interview.kind == InterviewKind.IN_HOUSE,
               Feedback.is_practice.is_(False), Feedback.status == FeedbackStatus.SUBMITTED)
    ).all()
    votes = {(loop_id, author): vote for loop_id, author, vote in first}
    finals = db.session.execute(select(FinalVote.loop_id, FinalVote.interviewer_id, FinalVote.vote)
                                .where(FinalVote.loop_id.in_(loop_ids))).all()
    votes.update({(loop_id, who): vote for loop_id, who, vote in finals})
    return votes


def practice_record(user: User) -> list[PracticeVerdict]:
    return list(db.session.scalars(select(PracticeVerdict).where(PracticeVerdict.trainee_id == user.id)
                                   .order_by(PracticeVerdict.recorded_at.desc())))
