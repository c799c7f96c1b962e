"""Audit entries in words, shared by the loop page's history and the report's timeline."""

# Entries that are not part of a loop's story: reading the report changes nothing in the loop.
NOT_HISTORY = frozenset({"report.downloaded"})
# Actions whose news is the state they record: "Hiring manager decided: Hire".
STATE_IS_NEWS = frozenset({"debrief.decided", "reference.recorded"})
ROLE_NAMES = {"recruiter": "Recruiter", "hiring_manager": "Hiring manager", "bar_raiser": "Bar raiser",
              "shadow": "Shadow"}
KIND_NAMES = {"in_house": "In-house interview", "phone_screen": "Phone screen"}
ACTION_LABELS = {
    "loop.created": "Loop created",
    "loop.advanced": "Moved on",
    "loop.screen_decided": "Screen decision recorded",
    "loop.closed": "Loop closed",
    "loop.people_changed": "People changed",
    "interview.scheduled": "Interview scheduled",
    "interview.rescheduled": "Interview rescheduled",
    "interview.cancelled": "Interview cancelled",
    "feedback.submitted": "Feedback submitted",
    "feedback.practice_submitted": "Practice feedback submitted (not counted)",
    "feedback.amended": "Amendment added to feedback",
    "debrief.final_vote": "Final vote recorded",
    "debrief.decided": "Hiring manager decided",
    "debrief.concurred": "Bar raiser concurred",
    "debrief.vetoed": "Bar raiser vetoed",
    "reference.recorded": "Reference recorded",
    "offer.extended": "Offer extended",
    "offer.accepted": "Offer accepted",
    "offer.declined": "Offer declined",
    "offer.rescinded": "Offer rescinded",
    "calendar_feed.created": "Calendar feed created",
    "calendar_feed.reset": "Calendar feed link reset",
    "calendar_feed.revoked": "Calendar feed turned off",
}


def word(value) -> str:
    """Turn a stored state ("no_hire", "Hire", None) into words."""
    if value is None or value == "":
        return "—"
    text = str(value)
    return text.replace("_", " ").capitalize() if text == text.lower() and " " not in text else text


def label(action: str) -> str:
    """The action in words: "loop.advanced" is "Moved on"; one without a label reads "Report downloaded"."""
    return ACTION_LABELS.get(action) or action.replace(".", " ").replace("_", " ").capitalize()


def people_changes(details: dict) -> list[tuple[str, str, str]]:
    """Return (role, from, to) for each role a "loop.people_changed" entry changed."""
    return [(ROLE_NAMES.get(role, word(role)), pair[0] or "nobody", pair[1] or "nobody")
            for role, pair in (details.get("changes") or {}).items()]
