"""The demo company's people, requisitions and candidates, as data."""

from dataclasses import dataclass

from app.people.models import Certification

CO = "Customer Obsession"
OWN = "Ownership"
IS = "Invent and Simplify"
ARAL = "Are Right, A Lot"
LBC = "Learn and Be Curious"
HDB = "Hire and Develop the Best"
IHS = "Insist on the Highest Standards"
TB = "Think Big"
BFA = "Bias for Action"
FRU = "Frugality"
ET = "Earn Trust"
DD = "Dive Deep"
BB = "Have Backbone; Disagree and Commit"
DR = "Deliver Results"


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    org_unit: str
    timezone: str
    is_admin: bool = False
    is_recruiter: bool = False
    certification: str = Certification.NONE
    joined_days_ago: int = 400
    level: int = 6
    manager: str | None = None


# The six named demo logins first, in the order the command prints them.
PEOPLE = [
    Person("admin@demo.test", "Morgan Ellis", "People Operations", "Europe/London", is_admin=True,
           joined_days_ago=2100, level=8),
    Person("recruiter@demo.test", "Rachel Okafor", "Talent Acquisition", "America/New_York",
           is_recruiter=True, joined_days_ago=610, level=5, manager="admin@demo.test"),
    Person("hm@demo.test", "Daniel Whitfield", "Payments", "America/Los_Angeles", joined_days_ago=1300,
           level=7),
    Person("barraiser@demo.test", "Beatriz Santos", "Search", "Europe/Lisbon",
           certification=Certification.CERTIFIED, joined_days_ago=1500, level=7),
    Person("interviewer@demo.test", "Ivan Kowalski", "Payments", "Europe/Warsaw", joined_days_ago=480, level=6,
           manager="hm@demo.test"),
    Person("shadow@demo.test", "Sofia Lindqvist", "Logistics", "Europe/Stockholm",
           certification=Certification.IN_TRAINING, joined_days_ago=700, level=6,
           manager="tomas.herrera@demo.test"),
    Person("marcus.bell@demo.test", "Marcus Bell", "Talent Acquisition", "America/Chicago",
           is_recruiter=True, joined_days_ago=350, level=5, manager="admin@demo.test"),
    Person("aisha.karim@demo.test", "Aisha Karim", "Search", "America/Toronto", joined_days_ago=1100, level=7),
    Person("tomas.herrera@demo.test", "Tomás Herrera", "Logistics", "America/Mexico_City",
           joined_days_ago=820, level=7, certification=Certification.NOMINATED),
    Person("grace.nakamura@demo.test", "Grace Nakamura", "Data Platform", "America/Los_Angeles",
           certification=Certification.CERTIFIED, joined_days_ago=2000, level=8),
    Person("seun.adeyemi@demo.test", "Oluwaseun Adeyemi", "Devices", "Europe/London",
           certification=Certification.CERTIFIED, joined_days_ago=1650, level=7),
    Person("hannah.becker@demo.test", "Hannah Becker", "Payments", "Europe/Berlin", joined_days_ago=760,
           level=6),
    Person("liam.oconnor@demo.test", "Liam O'Connor", "Payments", "Europe/Dublin", joined_days_ago=540, level=6,
           manager="hm@demo.test"),
    Person("mei.chen@demo.test", "Mei Chen", "Payments", "America/Los_Angeles", joined_days_ago=950, level=6),
    Person("ravi.iyer@demo.test", "Ravi Iyer", "Search", "Asia/Kolkata", joined_days_ago=880, level=6,
           manager="aisha.karim@demo.test"),
    Person("julia.novak@demo.test", "Julia Novák", "Search", "Europe/Prague", joined_days_ago=420, level=6,
           manager="aisha.karim@demo.test"),
    Person("carlos.mendes@demo.test", "Carlos Mendes", "Logistics", "America/Sao_Paulo", joined_days_ago=690, level=6,
           manager="tomas.herrera@demo.test", certification=Certification.REVERSE_SHADOW),
    Person("emma.clarke@demo.test", "Emma Clarke", "Logistics", "Australia/Sydney", joined_days_ago=1200, level=6,
           manager="tomas.herrera@demo.test", certification=Certification.SHADOWING),
    Person("noah.fischer@demo.test", "Noah Fischer", "Data Platform", "Europe/Zurich", joined_days_ago=830, level=6,
           manager="grace.nakamura@demo.test"),
    Person("fatima.haddad@demo.test", "Fatima Haddad", "Data Platform", "Asia/Dubai", joined_days_ago=610, level=6,
           manager="grace.nakamura@demo.test"),
    Person("kenji.watanabe@demo.test", "Kenji Watanabe", "Devices", "Asia/Tokyo", joined_days_ago=1400, level=7,
           manager="seun.adeyemi@demo.test"),
]


@dataclass(frozen=True)
class Opening:
    key: str
    title: str
    level: str
    hiring_manager: str
    recruiter: str
    principles: list[str]
    job_description: str
    approved_days_ago: int | None  # None: a draft awaiting its hiring manager's approval
    drafted_days_ago: int = 0


REQUISITIONS = [
    Opening(
        "ledger", "Senior Software Engineer, Payments Ledger", "L6", "hm@demo.test", "recruiter@demo.test",
        [CO, OWN, IHS, DD, DR],
        "The Payments Ledger team keeps the books for every transaction the company moves: about 40 million "
        "postings a day across card, bank-transfer and wallet payments, reconciled to the cent against eleven "
        "processors and banks.\n\n"
        "We are hiring a senior engineer to own the posting engine end to end: its correctness, its latency "
        "(p99 under 50 ms today; we want 20) and the reconciliation that proves it right every morning. You "
        "will lead the design of multi-currency balances, mentor two mid-level engineers, and be the person "
        "finance calls when a number looks wrong.\n\n"
        "You have built and operated a system where money or inventory has to balance; you reach for the raw "
        "data before the dashboard; you write design documents others can disagree with. Double-entry "
        "accounting, idempotent APIs, PostgreSQL and JVM services at scale all help; none is required if you "
        "can show the same depth elsewhere.\n\n"
        "On call: one week in six, follow-the-sun with Dublin.",
        approved_days_ago=95, drafted_days_ago=101,
    ),
    Opening(
        "risk", "Software Development Manager, Payments Risk", "L7", "hm@demo.test", "marcus.bell@demo.test",
        [HDB, TB, ET, BB, DR],
        "Payments Risk decides in 80 milliseconds whether to approve, challenge or decline every payment, and "
        "fights the chargebacks that get through. The team is 11 engineers and 2 applied scientists across "
        "Seattle and Dublin, growing to 16 this year.\n\n"
        "As its manager you will hire and grow that team, own the roadmap with product and the "
        "fraud-operations lead, and be accountable for fraud losses, false declines and the reliability of "
        "the scoring service. In your first six months you will move rule evaluation onto the streaming "
        "platform and write the team's operating plan for next year.\n\n"
        "You have managed senior engineers or managers for 4+ years, hired well and can tell us about the "
        "hires you got wrong, and have delivered a platform change under real-time constraints. You are "
        "comfortable disagreeing with senior leaders in writing and committing once a decision is made.",
        approved_days_ago=62, drafted_days_ago=66,
    ),
    Opening(
        "search", "Senior Applied Scientist, Search Relevance", "L6", "aisha.karim@demo.test",
        "recruiter@demo.test",
        [IS, ARAL, LBC, DD],
        "Search is how most customers find anything in a catalogue of 300 million products in 14 languages. "
        "The Relevance team owns ranking from candidate retrieval to the final reranker, and the metrics that "
        "tell us whether it works.\n\n"
        "You will lead the next generation of our retrieval stack (hybrid lexical and dense retrieval, learned "
        "query understanding) from offline experiments to production A/B tests, and own the evaluation "
        "framework that decides what ships. You will work with engineers in Toronto and Bangalore and with "
        "the catalogue team.\n\n"
        "You hold a PhD or have equivalent experience in information retrieval, NLP or machine learning, and "
        "have shipped ranking models to production traffic. You are as interested in why a metric moved as "
        "in the model that moved it. Publications welcome, not required.",
        approved_days_ago=75, drafted_days_ago=80,
    ),
    Opening(
        "routing", "Software Development Engineer II, Fulfilment Routing", "L5", "tomas.herrera@demo.test",
        "marcus.bell@demo.test",
        [CO, OWN, BFA, FRU],
        "Fulfilment Routing plans the day of 9,000 drivers across Mexico, Brazil and Colombia: which parcels "
        "go on which van, in which order, and what happens when a road closes at 4 pm.\n\n"
        "You will build and operate the services that re-plan routes during the day, the driver-facing APIs "
        "in the courier app, and the tools dispatchers use to override the planner. Once a quarter you will "
        "spend a day riding along with a driver.\n\n"
        "You have 3+ years building backend services (we use Go and Python on Kubernetes), care about cost as "
        "much as latency, and like shipping small changes often. Spanish or Portuguese is a plus.",
        approved_days_ago=80, drafted_days_ago=84,
    ),
    Opening(
        "onboarding", "Principal Product Manager, Merchant Onboarding", "L7", "hm@demo.test",
        "recruiter@demo.test",
        [CO, TB, ARAL, ET],
        "Merchant Onboarding takes a business from sign-up to its first payout. Today that takes a median of "
        "six days, and 31% of the merchants who start never finish. We want it to take one day and lose half "
        "as many.\n\n"
        "As principal product manager you will own the onboarding journey, including identity and business "
        "verification, risk review and bank-account setup, across nine countries, working with Payments "
        "Risk, Legal and two engineering teams.\n\n"
        "Still to settle before approval: the level (L7 or L8, with the PM guild) and whether the role "
        "includes the payouts API.",
        approved_days_ago=None, drafted_days_ago=3,
    ),
]


@dataclass(frozen=True)
class Applicant:
    key: str
    name: str
    email: str
    phone: str
    source: str
    resume_url: str
    notes: str
    added_by: str = "recruiter@demo.test"


def _resume(slug: str) -> str:
    return f"https://example.com/resumes/{slug}.pdf"


CANDIDATES = [
    Applicant("nadia", "Nadia Rahman", "nadia.rahman@example.com", "+44 20 7946 0321", "LinkedIn",
              _resume("nadia-rahman"),
              "Six years on card-issuing platforms at a UK challenger bank; led the move from nightly batch "
              "settlement to streaming. Open to relocating to Seattle; will need visa sponsorship."),
    Applicant("jon", "Jon Park", "jon.park@example.net", "+1 303-555-0117", "Careers site",
              _resume("jon-park-2024"),
              "Applied to the ledger role in the spring from Denver; ten years of billing systems at a "
              "telecom."),
    Applicant("jonathan", "Jonathan Park", "jon.park@example.net", "+1 303-555-0117",
              "Employee referral (Carlos Mendes)", "https://cv.example.org/jonathan-park",
              "Referred by Carlos, who worked with him on route planning at a courier start-up. Same e-mail as "
              "the spring applicant Jon Park; check that loop before the screen.",
              added_by="marcus.bell@demo.test"),
    Applicant("elena", "Elena Vásquez", "elena.vasquez@example.org", "+1 416-555-0164",
              "Conference (SIGIR recruiting booth)", _resume("elena-vasquez"),
              "Research scientist on query understanding at a travel marketplace; two SIGIR short papers on "
              "query segmentation. Interested in the multilingual work."),
    Applicant("samuel", "Samuel Osei", "samuel.osei@example.com", "+1 206-555-0129",
              "Employee referral (Hannah Becker)", _resume("samuel-osei"),
              "Backend engineer on a payment gateway, five years; Hannah worked with him at her previous "
              "company. Currently notice period of four weeks."),
    Applicant("aaliyah", "Aaliyah Johnson", "aaliyah.johnson@example.com", "+52 55 5555 0142", "LinkedIn",
              _resume("aaliyah-johnson"),
              "Backend engineer at a grocery-delivery company in Mexico City; owns the ETA service. "
              "Fluent Spanish.", added_by="marcus.bell@demo.test"),
    Applicant("wei", "Wei Zhang", "wei.zhang@example.net", "+1 425-555-0183", "Agency: Northbridge Talent",
              _resume("wei-zhang"),
              "Staff-level experience on a processor's reconciliation platform; agency fee 18%. Has a "
              "competing offer expected within three weeks."),
    Applicant("marta", "Marta Kowalczyk", "marta.kowalczyk@example.org", "+48 22 555 01 37", "Careers site",
              _resume("marta-kowalczyk"),
              "Applied scientist on multilingual search at a European marketplace; based in Warsaw, would "
              "join the Toronto team remotely for the first year."),
    Applicant("kwame", "Kwame Mensah", "kwame.mensah@example.com", "+1 206-555-0171", "Sourced by recruiter",
              _resume("kwame-mensah"),
              "Engineering manager for chargeback automation at a card network; manages 9 including one "
              "manager. Sourced after his talk at Money20/20.", added_by="marcus.bell@demo.test"),
    Applicant("priyanka", "Priyanka Desai", "priyanka.desai@example.com", "+1 206-555-0148",
              "Employee referral (Liam O'Connor)", _resume("priyanka-desai"),
              "Senior engineer on a merchant-payouts ledger; Liam's former colleague. Salary expectations "
              "discussed at the screen: within band."),
    Applicant("diego", "Diego Fernández", "diego.fernandez@example.com", "+52 33 5555 0190", "Careers site",
              _resume("diego-fernandez"),
              "Routing engineer at a courier start-up in Guadalajara; built its storm mode.",
              added_by="marcus.bell@demo.test"),
    Applicant("lucas", "Lucas Moreau", "lucas.moreau@example.org", "+33 1 55 55 01 26", "Careers site",
              _resume("lucas-moreau"),
              "Postdoc in learning to rank; one internship in industry. Would relocate to Toronto."),
    Applicant("rebecca", "Rebecca Thornton", "rebecca.thornton@example.com", "+1 312-555-0156",
              "Agency: Northbridge Talent", _resume("rebecca-thornton"),
              "Senior manager, fraud platform at a fintech; turned around a team that had missed two quarters.",
              added_by="marcus.bell@demo.test"),
    Applicant("tyler", "Tyler Brooks", "tyler.brooks@example.net", "+1 503-555-0112", "LinkedIn",
              _resume("tyler-brooks"),
              "Four years on a merchant dashboard team; lists a reconciliation service as his main project."),
    Applicant("hana", "Hana Sato", "hana.sato@example.org", "+1 647-555-0139", "University alumni network",
              _resume("hana-sato"),
              "PhD in information retrieval, finishing a postdoc; also interviewing with two other companies."),
]
