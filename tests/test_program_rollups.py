"""The program page's records come from the metrics rollups and are always what counting every loop gives.

Random small companies (tests/test_metrics_rollups.py's: loops at every step
and ending, bar raisers who interview or not, first and final votes, verdicts,
vetoes, No hires, loops changed after their first flush, dates over eighteen
months, so across the turn of the year) are counted both ways: each member's
record as the page reads it from the per-bar-raiser rollups, and as the
records give it directly; then again after `rebuild`.
"""

import random
import re

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.feedback.models import Vote
from app.loops.models import Step
from app.metrics.rollups import rebuild
from app.people.models import User
from app.program import stats
from tests import factories
from tests.test_metrics_rollups import ENDINGS, People, build, change_later, loops


def figures(members: list[stats.Member]) -> list[tuple]:
    """What the page's table and charts show of each member, in a form two computations can be compared in."""
    return [(m.user.id, m.state, m.active_loops, m.loops_this_year, m.decided, m.verdicts, m.vetoes, m.agreed,
             m.veto_rate, m.agreement) for m in members]


def program_people(people: People) -> None:
    """Besides the two certified bar raisers, a trainee (no record) and a paused bar raiser with one old loop."""
    factories.make_user(certification="shadowing", org_unit="Search")
    paused = factories.make_user(certification="paused", org_unit="Search")
    loop = factories.make_loop(Step.REFERENCE_CHECK, bar_raiser=paused, hiring_manager=people.managers[0])
    loop.created_at = loop.created_at.replace(year=loop.created_at.year - 2)
    db.session.flush()


# A No hire with no verdict to give: the bar raiser's call is their final vote (Not inclined, agreeing), not
# their first (Inclined); then they change it once more after the decision.
FIRST_VOTE_THEN_FINAL = {
    "age": 30, "minute": 600, "step": Step.DEBRIEF, "ending": "no_hire", "team": 0, "panel": [1], "seated": True,
    "delays": [60, 60, 60, 60], "submitted": 2, "votes": [Vote.INCLINED] * 4, "final": Vote.NOT_INCLINED,
    "decided_after": 600, "flagged": False, "moves": True, "later": "revote"}


def test_the_records_read_from_the_rollups_are_the_records_counted(app):
    with app.app_context():
        people = People()
        program_people(people)
        db.session.commit()

        @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                  phases=[Phase.explicit, Phase.reuse, Phase.generate])
        @given(specs=st.lists(loops, min_size=1, max_size=6))
        @example(specs=[FIRST_VOTE_THEN_FINAL])
        def check(specs):
            try:
                built = [build(spec, people, n) for n, spec in enumerate(specs)]
                for loop, spec in zip(built, specs, strict=True):
                    change_later(loop, spec)
                counted = figures(stats.members(direct=True))
                assert figures(stats.members()) == counted
                rebuild(db.session.connection())
                db.session.expire_all()
                assert figures(stats.members()) == counted
            finally:
                db.session.rollback()

        check()


def random_spec(rng: random.Random) -> dict:
    return {"age": rng.randint(0, 540), "minute": rng.randint(0, 24 * 60 - 1),
            "step": rng.randint(Step.RESUME_REVIEW, Step.OFFER), "ending": rng.choice(ENDINGS),
            "team": rng.randint(0, 1), "panel": rng.sample(range(4), rng.randint(1, 3)), "seated": rng.random() < .6,
            "delays": [rng.randint(-120, 4000) for _ in range(4)], "submitted": rng.randint(0, 4),
            "votes": [rng.choice(list(Vote)) for _ in range(4)], "final": rng.choice([None, *Vote]),
            "decided_after": rng.randint(0, 20 * 24 * 60), "flagged": False, "moves": False,
            "later": rng.choice(("nothing", "withdraw", "submit", "revote"))}


def test_the_program_page_shows_the_records_counted_directly(app, client, auth, admin):
    """The page itself, on a random company of forty loops: each member's row is the direct count."""
    rng = random.Random(1848)
    with app.app_context():
        people = People()
        program_people(people)
        for n in range(40):
            spec = random_spec(rng)
            change_later(build(spec, people, n), spec)
        db.session.commit()
        counted = stats.members(direct=True)
        assert sum(m.decided for m in counted) >= 5 and sum(m.vetoes for m in counted) >= 1
        expected = {m.user.name: [str(m.active_loops), str(m.loops_this_year),
                                  "—" if m.veto_rate is None else f"{m.veto_rate:.0f}%",
                                  "—" if m.agreement is None else f"{m.agreement:.0f}%"] for m in counted}
        names = [db.session.get(User, m.user.id).name for m in counted]
    auth.login(admin)
    html = client.get("/program").get_data(as_text=True)
    table = html[html.index('id="people-heading"'):]
    for name in names:
        row = table[table.index(f">{name}</a>"):]
        row = row[:row.index("</tr>")]
        cells = [cell.strip() for cell in re.findall(r'<td class="num"[^>]*>([^<]*)', row)]
        assert cells == expected[name], name
