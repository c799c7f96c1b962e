"""Every model, imported in one place for Alembic and the shell."""

from app.api.models import PersonalAccessToken
from app.audit.models import AuditEntry
from app.candidates.models import Candidate
from app.debrief.models import AgendaNote, DebriefBrief, DebriefDecision, FinalVote, Outcome, PracticeVerdict, Verdict
from app.feedback.models import Amendment, Feedback, FeedbackRating, FeedbackStatus, Rating, Vote
from app.interviews.models import CalendarFeed, CancelledInterview, Interview, InterviewKind, interview_principles
from app.kits.models import AskedQuestion, CoachingFlag, PlannedQuestion, Question, QuestionVersion
from app.loops.models import Loop, LoopStatus, ScreenDecision, ScreenOutcome, Step
from app.metrics.models import LoopTally, MetricRollup, ReadableCounts
from app.notifications.models import Notification, NotificationKind, NotificationStatus
from app.offers.models import Offer, OfferStatus
from app.people.models import Certification, OrgUnit, User
from app.principles.models import Principle
from app.program.models import SignOff
from app.references.models import Reference, ReferenceOutcome
from app.requisitions.models import Requisition, RequisitionStatus, requisition_principles
from app.retention.models import LegalHold, PolicyScope, RetentionPolicy
from app.scim.models import ScimToken
from app.webhooks.models import ChatHook, DeliveryAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "AgendaNote", "Amendment", "AskedQuestion", "AuditEntry", "CalendarFeed", "CancelledInterview",
    "Candidate", "Certification", "CoachingFlag",
    "LoopTally", "MetricRollup", "ReadableCounts",
    "DebriefBrief", "DebriefDecision", "Feedback", "FeedbackRating", "FeedbackStatus", "FinalVote", "Interview",
    "InterviewKind", "LegalHold", "Loop", "PolicyScope", "PracticeVerdict", "RetentionPolicy", "SignOff",
    "LoopStatus", "Notification", "NotificationKind", "NotificationStatus",
    "Offer", "OfferStatus", "OrgUnit", "Outcome", "PlannedQuestion", "Principle", "Question", "QuestionVersion",
    "Rating", "Reference", "ReferenceOutcome", "Requisition", "RequisitionStatus", "ScreenDecision",
    "ScimToken", "ScreenOutcome", "Step", "User", "Verdict", "Vote", "interview_principles",
    "requisition_principles", "ChatHook", "DeliveryAttempt", "WebhookDelivery", "WebhookEndpoint", "WebhookEvent",
    "PersonalAccessToken",
]
