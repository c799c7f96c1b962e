"""The fingerprint of sealed feedback: shown beside each first vote, so a reader can check it
was written before the debrief and has not changed since."""

import hashlib
import json

from app.feedback.models import Feedback


def sealed_content(feedback: Feedback) -> dict:
    """What submitting sealed: the ratings with their evidence, the vote, the bar answer, the time."""
    return {
        "interview": feedback.interview_id,
        "author": feedback.author_id,
        "submitted_at": feedback.submitted_at.isoformat() if feedback.submitted_at else None,
        "vote": feedback.vote and str(feedback.vote),
        "raises_bar": feedback.raises_bar,
        "summary": feedback.summary,
        "ratings": sorted([r.principle_id, r.rating and str(r.rating), r.evidence] for r in feedback.ratings),
    }


def sealed_fingerprint(feedback: Feedback) -> str | None:
    """Return the SHA-256 of the sealed feedback's content, or None while it is a draft."""
    if not feedback.is_submitted:
        return None
    data = json.dumps(sealed_content(feedback), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def short(fingerprint: str | None) -> str:
    """The first 16 hex digits, enough to compare two copies by eye."""
    return fingerprint[:16] if fingerprint else ""
