"""Evidence coaching: each rule flags what it should and leaves good evidence alone."""

import pytest

from app.feedback.models import Rating
from app.kits.coaching import RULES, Entry, coach, flags_for
from app.kits.models import CoachingRule

GOOD = ("She led the migration of the ledger to the new schema herself: wrote the backfill, ran it behind a "
        "flag over two weeks and cut reconciliation errors from 40 a day to 2, which meant finance closed the "
        "month three days sooner.")


def rules(text: str, rating: str | None = Rating.MEETS_THE_BAR, min_words: int = 20) -> set[str]:
    entry = Entry(text, Rating(rating) if rating else None)
    return {flag.rule.name.value for flag in flags_for(entry, field="x", min_words=min_words)}


def test_every_rule_has_a_name_a_title_and_an_explanation_in_plain_words():
    assert {rule.name for rule in RULES} == set(CoachingRule)
    for rule in RULES:
        assert rule.title and len(rule.explanation.split()) >= 12


def test_specific_evidence_with_action_and_result_carries_no_flag_at_any_rating():
    for rating in Rating:
        assert rules(GOOD, rating) == set()


@pytest.mark.parametrize("text, flagged", [
    ("Good answer.", True),
    ("Strong on ownership, clear examples.", True),
    (" ".join(["word"] * 19), True),
    (" ".join(["word"] * 20), False),
    ("", False),  # empty evidence is a submission problem, not coaching
])
def test_too_short_flags_evidence_under_the_minimum_words(text, flagged):
    assert ("too_short" in rules(text)) is flagged


def test_the_minimum_words_is_a_setting():
    assert "too_short" not in rules("Led the migration; cut errors.", min_words=4)
    assert "too_short" in rules("Led the migration; cut errors.", min_words=6)


@pytest.mark.parametrize("rating", [Rating.RAISES_THE_BAR, Rating.STRONG_CONCERN])
def test_an_extreme_rating_needs_an_action_and_a_result(rating):
    impression = "Truly exceptional communicator, very impressive presence, I would love to work with her every day."
    only_action = "She led the incident review and wrote the timeline for the whole group in the meeting we held."
    assert "extreme_without_example" in rules(impression, rating)
    assert "extreme_without_example" in rules(only_action, rating)
    assert "extreme_without_example" not in rules(GOOD, rating)


@pytest.mark.parametrize("rating", [Rating.MEETS_THE_BAR, Rating.BELOW_THE_BAR])
def test_middle_ratings_are_not_asked_for_an_example(rating):
    impression = "Truly exceptional communicator, very impressive presence, I would love to work with her every day."
    assert "extreme_without_example" not in rules(impression, rating)


@pytest.mark.parametrize("text", [
    "Not a culture fit.",
    "My gut feeling is that he would struggle here.",
    "Seems smart but did not finish the design.",
    "Honestly not a fit for this team.",
    "She's a great FIT for us, culture-wise: Culture  Fit.",
])
def test_opinion_only_phrases_are_flagged(text):
    assert "opinion_only" in rules(text)


@pytest.mark.parametrize("text", [
    GOOD,
    "Fitted the retry logic into the existing client and measured the gut-check alerts.",
    "He said the culture of the old team made reviews slow, then changed the review rota.",
])
def test_evidence_that_only_resembles_opinion_is_not_flagged(text):
    assert "opinion_only" not in rules(text)


@pytest.mark.parametrize("text, term", [
    ("Mentioned she has two kids, so travel may be hard.", "kids"),
    ("Strong accent, hard to follow at times.", "accent"),
    ("Probably too old to learn a new stack.", "too old"),
    ("Asked about maternity leave twice.", "maternity"),
    ("His religion came up when discussing weekends.", "religion"),
    ("Nationality: might need a lot of support.", "nationality"),
    ("Took time off for health reasons last year.", "health"),
    ("Worried about her age for a team this junior.", "age"),
    ("His family might not want to move.", "family"),
])
def test_words_about_protected_characteristics_are_flagged_with_the_word_found(text, term):
    flags = flags_for(Entry(text, Rating.BELOW_THE_BAR), field="x")
    protected = [f for f in flags if f.rule.name == CoachingRule.PROTECTED_CHARACTERISTIC]
    assert protected and term in protected[0].found
    assert term in protected[0].message


@pytest.mark.parametrize("text", [
    "Managed the page layout for the storage team.",  # "age" inside words
    "Raced the deploy against the freeze and won.",  # "race" inside a word
    "Built the healthcheck endpoint and its accent-colour theme switch.",  # compound words
    "Found the race condition in the ledger writer and fixed it with a lock.",  # engineering words
    "Added health checks to every service, then alerts on the cache age.",
    "Owned the whole product family's release train for a year.",
    "Negotiated in good faith with the vendor and cut the bill by a third.",
])
def test_protected_words_inside_other_words_are_not_flagged(text):
    assert "protected_characteristic" not in rules(text)


def test_coach_points_each_flag_at_its_field_and_principle_and_checks_the_summary():
    flags = coach([(7, "meets_the_bar", GOOD), (9, "strong_concern", "Not a culture fit.")],
                  summary="Gut feeling says no.")
    where = {(f.field, f.principle_id, f.rule.name.value) for f in flags}
    assert ("ratings-1-evidence", 9, "opinion_only") in where
    assert ("ratings-1-evidence", 9, "too_short") in where
    assert ("ratings-1-evidence", 9, "extreme_without_example") in where
    assert ("summary", None, "opinion_only") in where
    assert not any(f.field == "ratings-0-evidence" for f in flags)
