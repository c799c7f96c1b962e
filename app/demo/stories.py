"""The fifteen demo loops, oldest first, each told forward from the day it opened."""

from datetime import timedelta

from app.debrief.models import Outcome, Verdict
from app.demo import notes
from app.demo.roster import ARAL, LBC
from app.demo.writer import Company, LoopWriter, Note, planned
from app.loops.models import LoopStatus, ScreenOutcome
from app.references.models import ReferenceOutcome

ADVANCE, REJECT = ScreenOutcome.ADVANCE, ScreenOutcome.REJECT
SUPPORTS, CONCERNS = ReferenceOutcome.SUPPORTS, ReferenceOutcome.CONCERNS
HM, BR, IV, SHADOW = "hm@demo.test", "barraiser@demo.test", "interviewer@demo.test", "shadow@demo.test"
EMMA, CARLOS = "emma.clarke@demo.test", "carlos.mendes@demo.test"  # shadowing; reverse shadow
GRACE, SEUN = "grace.nakamura@demo.test", "seun.adeyemi@demo.test"
SEATTLE = "Seattle, Day 1 North, room 14.210 'Ledger' (candidate on site)"
SEATTLE_RISK = "Seattle, Day 1 North, room 9.104 'Chargeback' (candidate on site)"
TORONTO = "Toronto, King Street office, room 'Huron' (candidate on site)"
MEXICO_CITY = "Mexico City, Reforma office, room 'Tláloc' (candidate on site)"
VIDEO = "Video call (link in the calendar invite)"


def through_phone_screen(company: Company, loop: LoopWriter, days: tuple[int, int, int], note: Note,
                         why: tuple[str, str]) -> None:
    """Screen the résumé, hold the phone screen and proceed, on the three `days` given."""
    day, manager = company.calendar.day, loop.loop.hiring_manager
    screened, phoned, proceeded = days
    loop.screen(ADVANCE, day(screened, 17), manager, why[0])
    loop.phone_screen(note, day(phoned, 17), scheduled_at=day(screened, 18))
    loop.screen(ADVANCE, day(proceeded, 16), manager, why[1])


def jon(company: Company) -> None:
    day = company.calendar.day
    loop = LoopWriter.open(company, "ledger", "jon", day(-70, 15))
    loop.close(LoopStatus.WITHDRAWN, "Candidate withdrew: his move to Seattle fell through. He asked us to keep "
               "his details on file.", day(-66, 11), loop.loop.recruiter)


def diego(company: Company) -> None:
    day = company.calendar.day
    loop = LoopWriter.open(company, "routing", "diego", day(-60, 15), bar_raiser=BR)
    through_phone_screen(company, loop, (-59, -54, -53), notes.PHONE_SCREENS["diego"], (
        "Built a courier start-up's routing from scratch; exactly the in-day re-planning we need.",
        "Proceed: strong bias for action, close to drivers."))
    loop.in_house(notes.PANEL_DIEGO, day(-44, 14), scheduled_at=day(-52, 15), location=MEXICO_CITY)
    loop.advance_after_interviews()
    loop.advance_after_feedback()
    debrief = day(-41, 16)
    for i, author in enumerate((BR, "carlos.mendes@demo.test", "emma.clarke@demo.test",
                                "kenji.watanabe@demo.test")):
        loop.final_vote(author, loop.feedback[author].vote, debrief + timedelta(minutes=20 + i))
    loop.decide(
        Outcome.HIRE,
        "Strong customer focus and speed, with good judgement about which decisions are reversible. Emma's "
        "point about reaching for headcount is typical at L5 and something I can coach. Hire at L5.",
        debrief + timedelta(minutes=45),
        verdict=Verdict.CONCUR,
        verdict_rationale="Concur. Two independent Raises-the-bar ratings and nothing below Meets; every target "
                          "principle was covered. Better than half of our current L5s in Logistics.",
        verdict_at=debrief + timedelta(minutes=55),
    )
    loop.advance(debrief + timedelta(minutes=55), company.people[BR], "Hire, and the bar raiser concurs.")
    loop.reference("Patricia Gómez", "Former manager at the courier start-up (2020-2023)", day(-39).date(),
                   "Best engineer on the team through the 2021 peak; built the storm mode in an afternoon and "
                   "then spent a month making it safe. Would rehire. Development area: writes too little down.",
                   SUPPORTS, day(-38, 15))
    loop.reference("Arjun Mehta", "Operations lead who worked with him daily", day(-38).date(),
                   "Dispatchers trusted him because he came to the depot every week and fixed what they raised. "
                   "No reservations.", SUPPORTS, day(-37, 17))
    loop.advance(day(-37, 17, 30), loop.loop.recruiter, "Two references recorded, both supportive.")
    loop.offer("L5 Software Development Engineer II, Mexico City. Base MXN 1,450,000; sign-on MXN 180,000; "
               "600 RSUs vesting over four years. Start four weeks after acceptance.",
               day(-35, 16), accepted_at=day(-31, 18))
    loop.close(LoopStatus.HIRED, "Offer accepted.", day(-31, 18, 5), loop.loop.recruiter)


def lucas(company: Company) -> None:
    day = company.calendar.day
    loop = LoopWriter.open(company, "search", "lucas", day(-50, 14), bar_raiser=SEUN, shadow=EMMA)
    through_phone_screen(company, loop, (-49, -44, -43), notes.PHONE_SCREENS["lucas"], (
        "Learning-to-rank research background; worth a screen despite little industry time.",
        "Proceed; the panel should test production judgement."))
    interviews = loop.in_house(notes.PANEL_LUCAS, day(-30, 14), scheduled_at=day(-41, 15), location=TORONTO)
    loop.write_feedback(interviews[0], notes.PRACTICE_LUCAS, practice=True)
    loop.advance_after_interviews()
    loop.advance_after_feedback()
    debrief = day(-27, 15)
    loop.final_vote(SEUN, notes.NO, debrief + timedelta(minutes=20))
    loop.final_vote("ravi.iyer@demo.test", notes.NO, debrief + timedelta(minutes=25),
                    "I was impressed by the research, but three interviews independently found weak judgement "
                    "on production work, and at L6 that is the job.")
    loop.final_vote("julia.novak@demo.test", notes.NO, debrief + timedelta(minutes=26))
    loop.final_vote("noah.fischer@demo.test", notes.NO_STRONG, debrief + timedelta(minutes=27))
    rationale = ("A strong researcher, but three of four interviewers saw below-the-bar depth and judgement on "
                 "production work, which is the core of this role. No hire; the recruiter will suggest him for "
                 "the research scientist track if one opens.")
    loop.decide(Outcome.NO_HIRE, rationale, debrief + timedelta(minutes=40))
    loop.close(LoopStatus.NOT_HIRED, "No hire at the debrief: production depth and judgement below the bar for "
               "L6.", debrief + timedelta(minutes=41), loop.loop.hiring_manager)


def priyanka(company: Company) -> None:
    day = company.calendar.day
    loop = LoopWriter.open(company, "ledger", "priyanka", day(-45, 15), bar_raiser=GRACE, shadow=EMMA)
    through_phone_screen(company, loop, (-44, -38, -37), notes.PHONE_SCREENS["priyanka"], (
        "Merchant-payouts ledger experience; referral from Liam.",
        "Proceed: strong customer focus; panel to push on ledger depth."))
    interviews = loop.in_house(notes.PANEL_PRIYANKA, day(-20, 16), scheduled_at=day(-35, 15), location=SEATTLE)
    loop.write_feedback(interviews[0], notes.PRACTICE_PRIYANKA, practice=True)
    loop.advance_after_interviews()
    loop.advance_after_feedback()
    debrief = day(-17, 17)
    loop.final_vote(GRACE, notes.YES_STRONG, debrief + timedelta(minutes=15))
    loop.final_vote(IV, notes.YES, debrief + timedelta(minutes=16))
    loop.final_vote("hannah.becker@demo.test", notes.YES, debrief + timedelta(minutes=17))
    loop.final_vote("liam.oconnor@demo.test", notes.YES, debrief + timedelta(minutes=25),
                    "Grace's evidence on the property tests answers my worry about depth: she builds mechanisms "
                    "that catch what anyone would miss in a live debug.")
    loop.decide(
        Outcome.HIRE,
        "Raises the bar on standards and ownership, and every interviewer ended inclined or better. Liam's FX "
        "concern is coachable and offset by the mechanisms she builds. Hire at L6.",
        debrief + timedelta(minutes=40),
        verdict=Verdict.CONCUR,
        verdict_rationale="Concur. Three interviewers independently saw ownership and high standards; the depth "
                          "concern was resolved with evidence, not enthusiasm.",
        verdict_at=debrief + timedelta(minutes=50),
    )
    loop.advance(debrief + timedelta(minutes=50), company.people[GRACE], "Hire, and the bar raiser concurs.")
    loop.reference("Tom Reilly", "Her manager at her current company (2021-2024)", day(-14).date(),
                   "Gave her the hardest reconciliation problems because she would not stop until the numbers "
                   "tied out. Would hire again; says she can over-engineer internal tools.", SUPPORTS,
                   day(-13, 16))
    loop.reference("Sara Lindholm", "Peer engineering manager", day(-12).date(),
                   "Positive on her technical work. Said she pushed back hard in planning and could come across as "
                   "inflexible to newer team members; it improved after feedback last year.", CONCERNS,
                   day(-11, 15))
    loop.advance(day(-11, 15, 30), loop.loop.recruiter, "Two references recorded; the concern was discussed with "
                 "the hiring manager, who is comfortable with it.")
    loop.offer("L6 Senior Software Engineer, Seattle. Base $186,000; sign-on $45,000 paid over two years; "
               "1,150 RSUs vesting over four years. Proposed start: the first Monday of next quarter. Valid for "
               "seven days.", day(-5, 18))


def rebecca(company: Company) -> None:
    day = company.calendar.day
    loop = LoopWriter.open(company, "risk", "rebecca", day(-40, 15), bar_raiser=BR)
    through_phone_screen(company, loop, (-39, -34, -33), notes.PHONE_SCREENS["rebecca"], (
        "Has turned around a fraud platform team; manages 12.",
        "Proceed: remarkable delivery; the loop must look at how she leads people."))
    loop.in_house(notes.PANEL_REBECCA, day(-21, 16), scheduled_at=day(-32, 15), location=SEATTLE_RISK)
    loop.advance_after_interviews()
    loop.advance_after_feedback()
    loop.amend(BR, "Checked the outage dates against the public status-page history: they match her account. "
                   "My concern is how she describes her team, not the facts.", day(-18, 9))
    loop.amend(IV, "Having read the other feedback: my rating stands for delivery, but I did not ask how she got "
                   "the team there, and I should have.", day(-17, 14))
    debrief = day(-16, 17)
    loop.final_vote(BR, notes.NO_STRONG, debrief + timedelta(minutes=20))
    loop.final_vote(IV, notes.YES, debrief + timedelta(minutes=22),
                    "Beatriz's evidence about the outage changes how I read the turnaround: the results are real, "
                    "but I did not probe how she got them.")
    loop.final_vote("liam.oconnor@demo.test", notes.NO, debrief + timedelta(minutes=23),
                    "The pattern in the Earn Trust and Hire and Develop evidence worries me for a role that "
                    "manages managers.")
    loop.final_vote("mei.chen@demo.test", notes.YES, debrief + timedelta(minutes=24))
    loop.decide(
        Outcome.HIRE,
        "Her delivery record is the best we have seen for this role, and the risk team needs a turnaround now. "
        "The trust concerns are real; I would address them with a coaching plan and a 90-day check-in.",
        debrief + timedelta(minutes=45),
        verdict=Verdict.VETO,
        verdict_rationale="Veto. Two interviews independently found blame pushed onto a named junior engineer and "
                          "no account of her own part in the failure. For a manager of managers that is a strong "
                          "concern on Earn Trust, and she is not better than half of our current L7 managers on "
                          "Hire and Develop the Best. Delivery does not offset how people are treated, and a "
                          "coaching plan is not a substitute for the hiring bar.",
        verdict_at=debrief + timedelta(minutes=70),
    )
    loop.close(LoopStatus.NOT_HIRED, "Vetoed by the bar raiser: strong concern on Earn Trust.",
               debrief + timedelta(minutes=71), company.people[BR])


def tyler(company: Company) -> None:
    day = company.calendar.day
    loop = LoopWriter.open(company, "ledger", "tyler", day(-40, 14))
    manager = loop.loop.hiring_manager
    loop.screen(ADVANCE, day(-38, 17), manager, "Reconciliation project on the résumé; worth a screen.")
    loop.phone_screen(notes.PHONE_SCREENS["tyler"], day(-33, 17), scheduled_at=day(-38, 18))
    reason = ("Phone screen: could not go below the architecture diagram of his own reconciliation system; not "
              "the depth we need at L6.")
    loop.screen(REJECT, day(-32, 16), manager, reason)
    loop.close(LoopStatus.REJECTED, reason, day(-32, 16, 1), manager)


def kwame(company: Company) -> None:
    day = company.calendar.day
    loop = LoopWriter.open(company, "risk", "kwame", day(-30, 15), bar_raiser=SEUN)
    through_phone_screen(company, loop, (-29, -24, -23), notes.PHONE_SCREENS["kwame"], (
        "Manages chargeback automation at a card network; grew two seniors.",
        "Proceed: strong on developing people."))
    loop.in_house(notes.PANEL_KWAME, day(-12, 16), scheduled_at=day(-22, 15), location=SEATTLE_RISK)
    loop.advance_after_interviews()
    loop.advance_after_feedback()
    debrief = day(-10, 17)
    loop.final_vote(SEUN, notes.YES, debrief + timedelta(minutes=15))
    loop.final_vote("hannah.becker@demo.test", notes.YES, debrief + timedelta(minutes=16))
    loop.final_vote("mei.chen@demo.test", notes.YES, debrief + timedelta(minutes=30),
                    "Heard Seun's and Noah's evidence on how he scales through people; the plan he described to "
                    "Noah was bolder than what I got. Moving to inclined.")
    loop.final_vote("noah.fischer@demo.test", notes.YES_STRONG, debrief + timedelta(minutes=17))
    loop.decide(
        Outcome.HIRE,
        "Consistent evidence on developing people and on delivery against measurable goals. Mei's concern about "
        "ambition is fair, but the risk org needs a manager who can grow the team first. Hire at L7.",
        debrief + timedelta(minutes=45),
        verdict=Verdict.CONCUR,
        verdict_rationale="Concur. Every target principle was covered and two interviewers probed hiring and "
                          "development independently. Better than half of our current L7 managers on Hire and "
                          "Develop the Best.",
        verdict_at=debrief + timedelta(minutes=55),
    )
    loop.advance(debrief + timedelta(minutes=55), company.people[SEUN], "Hire, and the bar raiser concurs.")
    loop.reference("Amara Boateng", "Former director (2019-2023)", day(-6).date(),
                   "Would rehire without hesitation: he built her strongest team, and two of his reports are now "
                   "managers. Development area: sometimes too patient with under-performance.", SUPPORTS,
                   day(-5, 16))


def marta(company: Company) -> None:
    day = company.calendar.day
    loop = LoopWriter.open(company, "search", "marta", day(-25, 14), bar_raiser=GRACE, shadow=SHADOW)
    through_phone_screen(company, loop, (-24, -19, -18), notes.PHONE_SCREENS["marta"], (
        "Multilingual search experience, which is our biggest gap.",
        "Proceed: curious and rigorous about evaluation."))
    interviews = loop.in_house(notes.PANEL_MARTA, day(-5, 14), scheduled_at=day(-16, 15), location=TORONTO)
    # The shadow sat in on the bar raiser's interview and wrote practice feedback.
    loop.write_feedback(interviews[0], notes.PRACTICE_MARTA, practice=True)
    loop.advance_after_interviews()
    loop.advance_after_feedback()
    loop.amend("ravi.iyer@demo.test",
               "Follow-up: the query-rewriting prototype she mentioned was presented at her company's internal "
               "demo day and adopted by one product team. That is more production impact than I credited.",
               day(-2, 10))
    loop.summary(GRACE, notes.SUMMARY_MARTA, day(-1, 11))
    loop.final_vote("ravi.iyer@demo.test", notes.YES, day(-1, 15, 10))
    loop.final_vote("fatima.haddad@demo.test", notes.YES, day(-1, 15, 12))


def hana(company: Company) -> None:
    day = company.calendar.day
    loop = LoopWriter.open(company, "search", "hana", day(-22, 13))
    loop.screen(ADVANCE, day(-20, 16), loop.loop.hiring_manager, "IR PhD; strong publication record.")
    loop.close(LoopStatus.WITHDRAWN, "Candidate withdrew: accepted an offer elsewhere before we could schedule the "
               "phone screen.", day(-17, 10), loop.loop.recruiter)


def wei(company: Company) -> None:
    day = company.calendar.day
    # Carlos Mendes runs this loop as reverse shadow; Beatriz supervises and holds the veto.
    loop = LoopWriter.open(company, "ledger", "wei", day(-18, 15), bar_raiser=BR, shadow=CARLOS, reverse_shadow=True)
    through_phone_screen(company, loop, (-17, -12, -11), notes.PHONE_SCREENS["wei"], (
        "Reconciliation platform at a processor; agency candidate with a competing offer.",
        "Proceed quickly: competing offer in about three weeks."))
    # Two days ago, so part of the panel is already late: the metrics and reminders have work to show.
    loop.in_house(notes.PANEL_WEI, day(-2, 16), scheduled_at=day(-10, 15), location=SEATTLE)
    loop.advance_after_interviews()


def samuel(company: Company) -> None:
    day = company.calendar.day
    loop = LoopWriter.open(company, "ledger", "samuel", day(-14, 15), bar_raiser=BR, shadow=SHADOW)
    through_phone_screen(company, loop, (-13, -9, -8), notes.PHONE_SCREENS["samuel"], (
        "Payment-gateway backend experience; referred by Hannah.",
        "Proceed; the loop should probe ownership and standards."))
    loop.in_house(notes.PANEL_SAMUEL, day(2, 16), scheduled_at=day(-7, 15), location=SEATTLE)


def aaliyah(company: Company) -> None:
    day = company.calendar.day
    loop = LoopWriter.open(company, "routing", "aaliyah", day(-12, 16), bar_raiser=GRACE)
    through_phone_screen(company, loop, (-11, -7, -6), notes.PHONE_SCREENS["aaliyah"], (
        "Owns an ETA service at a delivery company; fluent Spanish.",
        "Proceed."))
    loop.in_house(notes.PANEL_AALIYAH, day(1, 15), scheduled_at=day(-5, 16), location=VIDEO)


def elena(company: Company) -> None:
    day = company.calendar.day
    loop = LoopWriter.open(company, "search", "elena", day(-6, 14, 30), bar_raiser=SEUN)
    loop.screen(ADVANCE, day(-5, 15), loop.loop.hiring_manager,
                "Query-understanding research that fits the multilingual roadmap.")
    loop.phone_screen(planned("aisha.karim@demo.test", LBC, ARAL), day(2, 15),
                      scheduled_at=day(-5, 16))


def nadia(company: Company) -> None:
    LoopWriter.open(company, "ledger", "nadia", company.calendar.day(-2, 15, 10))


def jonathan(company: Company) -> None:
    LoopWriter.open(company, "routing", "jonathan", company.calendar.day(-1, 16, 40))


STORIES = [jon, diego, lucas, priyanka, rebecca, tyler, kwame, marta, hana, wei, samuel, aaliyah, elena, nadia,
           jonathan]
