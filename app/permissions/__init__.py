"""Who may do what, in one package: predicates (`is_...`, `can_...`) and enforcers (`require_...`).

Views call the enforcers; templates call the same predicates (each registered
as a Jinja global), so a button is shown exactly when the view would accept
it. Anyone who is not part of a loop gets 404 for anything of it; a
participant without the right gets 403.

- `roles`: who someone is in the company (admin, recruiter), the enforcers, the metrics.
- `feedback`: the blind-feedback rule and who writes which feedback.
- `loops`: loading a loop, and what its people may do in it.
- `records`: requisitions, candidates and résumés.
- `kits`: the question bank and interview kits.
- `program`: the bar-raiser program's pages.
"""

from app.permissions.feedback import (
    SUBMISSION_WATCHERS,
    FeedbackAccess,
    WriterRole,
    can_read_feedback,
    can_see_submissions,
    can_write_feedback,
    feedback_access,
    has_submitted_all_own,
    own_counted_interviews,
    own_practice_interviews,
    readable_feedback,
    writer_role,
)
from app.permissions.kits import (
    KIT_EDITORS,
    KIT_READERS,
    can_curate_questions,
    can_swap_questions,
    can_view_kit,
    is_kit_open,
    require_curator,
)
from app.permissions.loops import (
    REPORT_READERS,
    can_advance_loop,
    can_cancel_interview,
    can_close_loop,
    can_decide,
    can_download_report,
    can_manage_loop,
    can_manage_offer,
    can_note_agenda,
    can_open_debrief,
    can_record_final_vote,
    can_record_practice_verdict,
    can_record_references,
    can_record_verdict,
    can_reschedule_interview,
    can_schedule_interviews,
    can_screen,
    can_write_brief,
    get_interview_or_404,
    get_loop_or_404,
    holds,
    is_loop_participant,
    membership,
    participant_filter,
    runs_debrief,
    takes_part,
    unmet_conditions_for,
)
from app.permissions.program import (
    can_nominate,
    can_open_program,
    can_see_progress,
    can_sign_off,
    can_view_program,
    is_certified_bar_raiser,
    is_on_path,
)
from app.permissions.records import (
    can_close_requisition,
    can_edit_candidate,
    can_edit_requisition,
    can_export_candidate_data,
    can_read_resume,
    can_see_candidate,
    can_see_requisition,
    get_candidate_or_404,
    get_requisition_or_404,
)
from app.permissions.roles import (
    can_manage_retention,
    can_read_audit_trail,
    can_view_metrics,
    is_admin,
    is_recruiter,
    require,
    require_admin,
    require_recruiter,
)

# The predicates templates ask, as the views do.
TEMPLATE_PREDICATES = (
    "is_admin", "is_recruiter", "can_view_metrics", "is_loop_participant", "can_manage_loop",
    "can_schedule_interviews", "can_cancel_interview", "can_reschedule_interview", "can_close_loop",
    "can_advance_loop", "can_screen",
    "can_see_requisition", "can_edit_requisition", "can_close_requisition", "can_read_resume",
    "can_record_references", "can_manage_offer", "can_open_debrief", "can_decide", "can_record_verdict",
    "can_record_final_vote", "can_download_report", "can_write_feedback", "can_see_submissions",
    "can_curate_questions", "can_view_kit", "can_swap_questions",
    "runs_debrief", "can_write_brief", "can_note_agenda", "can_record_practice_verdict",
    "can_view_program", "can_see_progress", "can_nominate", "can_sign_off", "is_certified_bar_raiser",
    "can_open_program", "can_read_audit_trail", "can_manage_retention", "can_edit_candidate",
    "can_export_candidate_data",
)

__all__ = [
    "SUBMISSION_WATCHERS", "REPORT_READERS", "FeedbackAccess", "WriterRole", "TEMPLATE_PREDICATES",
    "can_read_feedback", "can_see_submissions", "can_write_feedback", "feedback_access", "has_submitted_all_own",
    "own_counted_interviews", "own_practice_interviews", "readable_feedback", "writer_role",
    "can_advance_loop", "can_cancel_interview", "can_reschedule_interview", "can_close_loop", "can_decide",
    "can_download_report",
    "can_manage_loop", "can_manage_offer", "can_open_debrief", "can_record_final_vote", "can_record_references",
    "can_record_verdict", "can_schedule_interviews", "can_screen", "get_interview_or_404", "get_loop_or_404",
    "holds", "is_loop_participant", "membership", "participant_filter", "takes_part", "unmet_conditions_for",
    "runs_debrief", "can_write_brief", "can_note_agenda", "can_record_practice_verdict",
    "can_close_requisition", "can_edit_requisition", "can_read_resume", "can_see_candidate", "can_see_requisition",
    "get_candidate_or_404", "get_requisition_or_404", "can_edit_candidate", "can_export_candidate_data",
    "can_nominate", "can_see_progress", "can_sign_off", "can_view_program", "is_certified_bar_raiser",
    "can_open_program", "is_on_path",
    "can_view_metrics", "is_admin", "is_recruiter", "require", "require_admin", "require_recruiter",
    "KIT_EDITORS", "KIT_READERS", "can_curate_questions", "can_swap_questions", "can_view_kit", "is_kit_open",
    "require_curator", "can_read_audit_trail", "can_manage_retention",
]
