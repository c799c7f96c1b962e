"""A loop and what its people may do in it: load it, schedule, screen, move, close, decide, download.

Anyone who is not part of a loop gets 404 for anything of it; a participant
without the right gets 403. Who holds which role comes from `Loop.roles_of`;
the workflow's tables say which role moves or ends a loop at each step.
"""

from functools import cache

from flask import abort
from sqlalchemy import bindparam, exists, or_, select, union_all
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.extensions import db
from app.interviews.models import Interview, InterviewKind
from app.loops import workflow
from app.loops.models import SEATED_ROLES, Loop, LoopMember, LoopRole, Step
from app.people.models import User
from app.permissions.feedback import can_see_submissions, feedback_access
from app.permissions.roles import _user, is_active_user
from app.requisitions.models import Requisition

# Who records each screen decision: the résumé screen (step 2) and the phone-screen proceed (step 3).
SCREENERS = {
    Step.RESUME_REVIEW: (LoopRole.RECRUITER, LoopRole.HIRING_MANAGER),
    Step.PHONE_SCREEN: (LoopRole.HIRING_MANAGER,),
}

# PRODUCT.md, "The debrief PDF": these roles, from the debrief on.
REPORT_READERS = {LoopRole.HIRING_MANAGER, LoopRole.BAR_RAISER, LoopRole.RECRUITER}

def participant_filter(user: User):
    """A WHERE clause selecting the loops `user` takes part in.

    One indexed lookup per role, so the database reads the user's own loops
    rather than testing every loop (an OR of the roles cannot use the indexes).
    The subqueries use their own aliases: they never correlate with the caller's tables.
    """
    loop, interview = aliased(Loop), aliased(Interview)
    return Loop.id.in_(union_all(
        *(select(loop.id).where(getattr(loop, f"{role}_id") == user.id) for role in SEATED_ROLES),
        select(interview.loop_id).where(interview.interviewer_id == user.id),
    ))


def membership(user: User):
    """A join condition pairing each loop with `user`'s row of it in `loop_members`: only loops they take part in.

    The rows are kept by the database (app/loops/members.py) and counted as
    `participant_filter` counts, so a listing walks the user's own rows by
    index in the order it shows, a page at a time, however long their history.
    """
    return (LoopMember.loop_id == Loop.id) & (LoopMember.person_id == user.id)


@cache
def _taking_part():
    """The interviews `takes_part` reads, aliased once (an alias costs to make; made at import, it would map
    the models before they are all defined)."""
    return aliased(Interview, name="taking_part")


def takes_part(user: User):
    """A WHERE clause testing each loop row for `user` taking part in it.

    For queries narrowed to the open loops, a few dozen whatever the history:
    testing those rows costs what they are, where `participant_filter` first
    collects every loop the user ever took part in, which grows with the years.
    """
    interview = _taking_part()  # never the caller's interviews, should its query have some
    return or_(
        *(getattr(Loop, f"{role}_id") == user.id for role in SEATED_ROLES),
        exists().where(interview.loop_id == Loop.id, interview.interviewer_id == user.id),
    )


def is_loop_participant(loop: Loop, user: User | None = None) -> bool:
    return bool(loop.roles_of(_user(user)))


@cache
def _loop_by_id(dialect: str):
    """The statement that loads a loop page's loop, built once per database: SQLAlchemy reuses its compiled form.

    What nearly every loop page shows is loaded with it, in a fixed number of
    queries. Collections a page shows only at some steps (references, final
    votes) load on first use, one query each, so a page that never reads them
    pays nothing for them.

    Principles hang off a link table, which SQLAlchemy joins as a nested join.
    PostgreSQL flattens it; SQLite materializes the whole link table for it,
    so there the principles come in a query of their own instead.
    """
    principles = joinedload if dialect == "postgresql" else selectinload
    return (
        select(Loop).where(Loop.id == bindparam("loop_id"))
        .options(
            # One row each (or a few): joined into the loop's own query rather than a query apiece.
            joinedload(Loop.candidate), joinedload(Loop.decision), joinedload(Loop.offer),
            joinedload(Loop.requisition).options(principles(Requisition.principles)),
            joinedload(Loop.screen_decisions),  # none, one or two
            # Interviews with their interviewer, their (at most two) feedbacks and their principles.
            selectinload(Loop.interviews).options(
                joinedload(Interview.interviewer), joinedload(Interview.feedbacks),
                principles(Interview.principles)),
        )
    )


def get_loop_or_404(loop_id: int) -> Loop:
    """Load a loop the signed-in user takes part in; anyone else gets 404."""
    statement = _loop_by_id(db.session.get_bind().dialect.name)
    loop = db.session.execute(statement, {"loop_id": loop_id}).unique().scalar_one_or_none()
    if loop is None or not is_loop_participant(loop):
        abort(404)
    return loop


def get_interview_or_404(loop: Loop, interview_id: int) -> Interview:
    """Return one of the loop's interviews; an id from another loop is 404."""
    interview = next((i for i in loop.interviews if i.id == interview_id), None)
    if interview is None:
        abort(404)
    return interview


def holds(loop: Loop, roles, user: User | None = None) -> bool:
    """Return whether the user holds any of `roles` in the loop."""
    return bool(loop.roles_of(_user(user)) & set(roles))


def can_manage_loop(loop: Loop, user: User | None = None) -> bool:
    """The loop's recruiter sets up its people and interviews while it is open."""
    return loop.is_open and loop.recruiter_id == _user(user).id


def can_schedule_interviews(loop: Loop, user: User | None = None) -> bool:
    """The recruiter schedules interviews until the in-house interviews are done."""
    return can_manage_loop(loop, user) and loop.step <= Step.IN_HOUSE_INTERVIEWS


def can_cancel_interview(interview: Interview, user: User | None = None) -> bool:
    """The recruiter cancels an interview nobody has written feedback for, while its step lasts."""
    loop = interview.loop
    return (can_manage_loop(loop, user) and not interview.feedbacks
            and loop.step <= workflow.LAST_SCHEDULING_STEP[InterviewKind(interview.kind)])


def can_reschedule_interview(interview: Interview, user: User | None = None) -> bool:
    """Who may cancel an interview may move it, on the same terms."""
    return can_cancel_interview(interview, user)


def can_close_loop(loop: Loop, user: User | None = None) -> bool:
    """The loop's recruiter or hiring manager closes it, as rejected or withdrawn, at any step."""
    return workflow.can_end(loop, _user(user))


def can_advance_loop(loop: Loop, user: User | None = None) -> bool:
    """Whoever the workflow names for the loop's step moves it on."""
    return workflow.can_advance(loop, _user(user))


def can_screen(loop: Loop, step: int, user: User | None = None) -> bool:
    """Return whether the user records the résumé screen (2) or phone-screen decision (3) now."""
    return loop.is_open and loop.step == step and holds(loop, SCREENERS.get(step, ()), user)


def can_record_references(loop: Loop, user: User | None = None) -> bool:
    return (loop.is_open and loop.step == Step.REFERENCE_CHECK
            and holds(loop, (LoopRole.RECRUITER, LoopRole.HIRING_MANAGER), user))


def can_manage_offer(loop: Loop, user: User | None = None) -> bool:
    return loop.is_open and loop.step == Step.OFFER and _user(user).id == loop.recruiter_id


def can_open_debrief(loop: Loop, user: User | None = None) -> bool:
    """The debrief page opens from step 6 on, for those the blind rule lets read everyone's feedback."""
    return loop.step >= Step.DEBRIEF and feedback_access(loop, _user(user)).can_read_others


def _at_debrief_undecided(loop: Loop) -> bool:
    return loop.is_open and loop.step == Step.DEBRIEF and loop.decision is None


def can_decide(loop: Loop, user: User | None = None) -> bool:
    """The hiring manager records Hire or No hire, once, at the debrief."""
    return _at_debrief_undecided(loop) and _user(user).id == loop.hiring_manager_id


def can_record_verdict(loop: Loop, user: User | None = None) -> bool:
    """The loop's bar raiser, certified, concurs or vetoes a Hire, once."""
    user, decision = _user(user), loop.decision
    return (loop.is_open and loop.step == Step.DEBRIEF and decision is not None and decision.outcome == "hire"
            and decision.verdict is None and user.id == loop.bar_raiser_id and is_active_user(user)
            and user.is_certified_bar_raiser)


def can_record_final_vote(loop: Loop, user: User | None = None) -> bool:
    """An in-house interviewer whose feedback is sealed records a final vote until the decision."""
    user = _user(user)
    return _at_debrief_undecided(loop) and any(
        i.kind == InterviewKind.IN_HOUSE and i.interviewer_id == user.id and i.submitted_feedback
        for i in loop.interviews)


def can_download_report(loop: Loop, user: User | None = None) -> bool:
    """The hiring manager, bar raiser and recruiter download the debrief PDF, from the debrief on."""
    return loop.step >= Step.DEBRIEF and holds(loop, REPORT_READERS, user)


def unmet_conditions_for(loop: Loop, user: User | None = None) -> list[str]:
    """Return the loop's unmet conditions as `user` may see them.

    The written-feedback gate names who has not submitted; anyone but the
    recruiter, hiring manager and bar raiser is told only what is theirs to do.
    """
    user = _user(user)
    unmet = workflow.unmet_conditions(loop)
    if loop.step != Step.WRITTEN_FEEDBACK or not loop.is_open or can_see_submissions(loop, user):
        return unmet
    mine = f"{user.name} has not submitted feedback."
    return (["Submit your feedback."] if mine in unmet else []) + (
        ["Every in-house interviewer submits their feedback."] if unmet else [])



def runs_debrief(loop: Loop, user: User | None = None) -> bool:
    """The bar raiser runs the debrief; on a reverse-shadow loop the trainee acts for them."""
    user = _user(user)
    return user.id == loop.bar_raiser_id or (loop.is_reverse_shadow and user.id == loop.shadow_id)


def can_write_brief(loop: Loop, user: User | None = None) -> bool:
    """Whoever runs the debrief writes its summary, once the blind rule lets them read everyone's feedback."""
    user = _user(user)
    return runs_debrief(loop, user) and feedback_access(loop, user).can_read_others


def can_note_agenda(loop: Loop, user: User | None = None) -> bool:
    """Whoever runs the debrief notes what each principle's discussion established, until the decision."""
    return _at_debrief_undecided(loop) and runs_debrief(loop, user)


def can_record_practice_verdict(loop: Loop, user: User | None = None) -> bool:
    """A reverse shadow records a practice verdict, once, before the decision."""
    return (_at_debrief_undecided(loop) and loop.is_reverse_shadow and _user(user).id == loop.shadow_id
            and loop.practice_verdict is None)
