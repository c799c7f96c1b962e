"""Evidence coaching: named rules that flag written evidence, and never block it.

One table, `RULES`, in the shape of the workflow's: each rule has a name (the
`CoachingRule` stored with sealed feedback), a title, a plain-words
explanation shown beside the field, and a check that returns what it found.
A flag is advice for the interviewer and a count for calibration; submitting
with flags is allowed.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from app.feedback.models import Rating
from app.kits.models import CoachingRule

DEFAULT_MIN_WORDS = 20

# What the candidate did: verbs an interviewer uses to report an action.
ACTION_WORDS = (
    "analysed analyzed asked automated built called changed chose coached convinced created cut debugged decided "
    "delegated designed documented drove escalated fixed found hired implemented introduced investigated launched "
    "led measured mentored migrated moved negotiated organised organized owned paired proposed prototyped pushed "
    "ran rebuilt redesigned refused removed replaced reviewed rewrote rolled set shipped simplified split spotted "
    "started stopped tested told traced trained wrote"
).split()
# What came of it: outcome words; a number or a percentage counts as well.
RESULT_WORDS = (
    "adopted avoided completed cut decreased delivered doubled dropped fell finished grew halved improved "
    "increased launched lost outcome prevented reduced resolved result resulted results rose saved shipped "
    "so-that won"
).split() + ["so that", "led to", "which meant", "as a result", "because of this"]
OPINION_PHRASES = [
    "culture fit", "cultural fit", "not a fit", "good fit", "great fit", "poor fit", "bad fit", "gut feeling",
    "gut feel", "my gut", "seems smart", "seemed smart", "seems sharp", "seemed sharp", "seems nice",
    "seemed nice", "likeable", "likable", "good vibe", "good vibes", "bad vibe", "bad vibes", "didn't click",
    "did not click", "rubbed me the wrong way", "have a beer with", "not my type",
]
# A curated list: words about characteristics that must play no part in a hiring decision.
PROTECTED_TERMS = [
    "aged", "elderly", "too old", "too young", "years old", "retirement", "kids", "children", "childcare",
    "pregnant", "pregnancy", "maternity", "paternity", "married", "marital", "wife", "husband", "spouse",
    "religion", "religious", "church", "mosque", "synagogue", "christian", "muslim", "jewish", "hindu", "sikh",
    "buddhist", "nationality", "national origin", "foreigner", "foreign-born", "immigrant", "accent",
    "native speaker", "ethnicity", "ethnic", "racial", "gender", "disability", "disabled", "wheelchair",
    "illness", "mental health", "sexual orientation", "gay", "lesbian", "transgender",
]
# Words that are also ordinary engineering words count only in a personal phrase: "a cache's age", "a race
# condition", "health checks" and "a product family" are evidence, not bias. The flag names the word.
_PERSONAL = r"(?:his|her|their|your|(?:the\s+)?candidate's)\s+"
CONTEXTUAL_TERMS = {
    "age": [_PERSONAL + r"age", r"age\s+of\s+\d", r"(?:older|younger)\s+candidate"],
    "race": [_PERSONAL + r"race"],
    "health": [_PERSONAL + r"health", r"health\s+(?:reasons|problems|issues|condition)"],
    "family": [_PERSONAL + r"family", r"start(?:ing)?\s+a\s+family", r"family\s+(?:plans|commitments)"],
    "faith": [_PERSONAL + r"faith"],
    "medical": [r"medical\s+(?:condition|leave|history)"],
}
EXTREME_RATINGS = frozenset({Rating.RAISES_THE_BAR, Rating.STRONG_CONCERN})


def _pattern(terms: Iterable[str]) -> re.Pattern:
    alternatives = sorted((re.escape(t).replace(r"\ ", r"\s+") for t in terms), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(alternatives) + r")(?![\w-])", re.IGNORECASE)


_ACTION, _RESULT = _pattern(ACTION_WORDS), _pattern(RESULT_WORDS)
_OPINION, _PROTECTED = _pattern(OPINION_PHRASES), _pattern(PROTECTED_TERMS)
_CONTEXTUAL = {word: re.compile(r"(?<![\w-])(?:" + "|".join(phrases) + r")(?![\w-])", re.IGNORECASE)
               for word, phrases in CONTEXTUAL_TERMS.items()}
_NUMBER = re.compile(r"\d")


def _found(pattern: re.Pattern, text: str) -> list[str]:
    seen: list[str] = []
    for match in pattern.finditer(text):
        term = " ".join(match.group(0).lower().split())
        if term not in seen:
            seen.append(term)
    return seen


def word_count(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


@dataclass(frozen=True)
class Entry:
    """One piece of written evidence: its text and the rating given with it (None for the summary)."""

    text: str
    rating: Rating | None = None


def too_short(entry: Entry, min_words: int) -> list[str]:
    count = word_count(entry.text)
    return [f"{count} words"] if entry.rating is not None and 0 < count < min_words else []


def extreme_without_example(entry: Entry, min_words: int) -> list[str]:
    if entry.rating not in EXTREME_RATINGS or not entry.text.strip():
        return []
    missing = []
    if not _found(_ACTION, entry.text):
        missing.append("no action")
    if not (_found(_RESULT, entry.text) or _NUMBER.search(entry.text)):
        missing.append("no result")
    return missing


def opinion_only(entry: Entry, min_words: int) -> list[str]:
    return _found(_OPINION, entry.text)


def protected_characteristic(entry: Entry, min_words: int) -> list[str]:
    found = _found(_PROTECTED, entry.text)
    return found + [word for word, pattern in _CONTEXTUAL.items() if pattern.search(entry.text) and word not in found]


@dataclass(frozen=True)
class Rule:
    name: CoachingRule
    title: str
    explanation: str
    check: Callable[[Entry, int], list[str]]


RULES: list[Rule] = [
    Rule(CoachingRule.TOO_SHORT, "Too short to be evidence",
         "A line or two rarely says what the candidate did. Write the situation, what they did themselves, "
         "and what came of it, so someone who was not in the room can weigh it.",
         too_short),
    Rule(CoachingRule.EXTREME_WITHOUT_EXAMPLE, "Strong rating without a concrete example",
         "Raises the bar and Strong concern weigh most at the debrief. Back them with an example that says what "
         "the candidate did (an action) and what came of it (a result, ideally a number).",
         extreme_without_example),
    Rule(CoachingRule.OPINION_ONLY, "Opinion, not evidence",
         "Phrases like “culture fit”, “gut feeling” or “seems smart” report your impression, not the candidate's "
         "behaviour, and nobody else can weigh them. Say what the candidate did that left you with it.",
         opinion_only),
    Rule(CoachingRule.PROTECTED_CHARACTERISTIC, "Protected characteristic",
         "Age, family, pregnancy, religion, nationality, accent, health and similar must play no part in a "
         "hiring decision. Take it out of the feedback, and raise it with the recruiter if the candidate "
         "brought it up.",
         protected_characteristic),
]
RULES_BY_NAME = {rule.name: rule for rule in RULES}


@dataclass(frozen=True)
class Flag:
    """A rule that flagged a piece of evidence; `field` is the form field it sits beside."""

    rule: Rule
    field: str
    principle_id: int | None
    found: tuple[str, ...]

    @property
    def message(self) -> str:
        found = f" ({', '.join(self.found)})" if self.found else ""
        return f"{self.rule.title}{found}: {self.rule.explanation}"


def flags_for(entry: Entry, *, field: str, principle_id: int | None = None,
              min_words: int = DEFAULT_MIN_WORDS) -> list[Flag]:
    """Return every rule's flag on one piece of evidence, in the table's order."""
    flags = []
    for rule in RULES:
        found = rule.check(entry, min_words)
        if found:
            flags.append(Flag(rule, field, principle_id, tuple(found)))
    return flags


def coach(ratings: Iterable[tuple[int, Rating | str | None, str]], summary: str = "",
          min_words: int = DEFAULT_MIN_WORDS) -> list[Flag]:
    """Flag a feedback: (principle id, rating, evidence) per principle, in form order, and the summary."""
    flags = []
    for index, (principle_id, rating, evidence) in enumerate(ratings):
        entry = Entry(evidence or "", Rating(rating) if rating else None)
        flags += flags_for(entry, field=f"ratings-{index}-evidence", principle_id=principle_id, min_words=min_words)
    if summary.strip():
        flags += flags_for(Entry(summary), field="summary", min_words=min_words)
    return flags
