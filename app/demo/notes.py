"""What the demo interviewers wrote: phone screens and in-house feedback, per candidate."""

from app.demo.roster import ARAL, BB, BFA, CO, DD, DR, ET, FRU, HDB, IHS, IS, LBC, OWN, TB
from app.demo.writer import Note, Rated, planned
from app.feedback.models import Rating, Vote

RAISES, MEETS, BELOW, CONCERN = (Rating.RAISES_THE_BAR, Rating.MEETS_THE_BAR, Rating.BELOW_THE_BAR,
                                 Rating.STRONG_CONCERN)
YES_STRONG, YES, NO, NO_STRONG = Vote.STRONGLY_INCLINED, Vote.INCLINED, Vote.NOT_INCLINED, Vote.STRONGLY_NOT_INCLINED

HM = "hm@demo.test"
AISHA = "aisha.karim@demo.test"
TOMAS = "tomas.herrera@demo.test"

PHONE_SCREENS = {
    "tyler": Note(HM, (
        Rated(DD, BELOW,
              "Asked him to walk me through the reconciliation job he lists as his main project. He described "
              "it at the box-and-arrow level but could not say how mismatches were detected, what the daily "
              "volume was, or how late settlement files were handled; twice he said 'the data team owned that "
              "part'. Asked how he would know the job had silently dropped records, he suggested more logging."),
        Rated(DR, BELOW,
              "Shipped the merchant payout dashboard on the promised date by cutting the export and audit "
              "features finance had asked for. He presented that as the win and did not mention the follow-up "
              "work it created for the finance team until I asked who used the dashboard."),
    ), NO, False,
        "Pleasant and articulate, but stayed on the surface of the one system he says he owned. An L6 on "
        "the ledger has to get to the row level without being pushed. Not proceeding.", hours=1.5),
    "priyanka": Note(HM, (
        Rated(CO, RAISES,
              "Her team pays out about 40k small merchants. She noticed support tickets spiking every Monday, "
              "traced them to weekend settlements landing after the merchants' bank cut-off, got finance to "
              "agree to a Saturday payout run and wrote the backfill herself. Monday payout tickets fell about "
              "70% over the next quarter. She opened the story with the merchant, not the system."),
        Rated(DR, MEETS,
              "Led the refunds migration onto the new ledger: 9 engineers, 5 months, landed three weeks late. "
              "Candid that she under-estimated the dual-write period; re-planned in week 6 and told "
              "stakeholders the same day."),
    ), YES_STRONG, True,
        "Strong signal on customer focus and on owning outcomes; explains trade-offs crisply. Proceed to the "
        "loop, and have the panel push on depth in ledger internals.", hours=2),
    "samuel": Note(HM, (
        Rated(CO, MEETS,
              "A currency-rounding change overcharged about 1,200 customers by one cent. He pushed for proactive "
              "refunds and an e-mail instead of waiting for complaints, and wrote the refund script. Good "
              "instinct; less clear how much he drove the decision versus carried it out."),
    ), YES, True,
        "Solid backend engineer with real payments exposure. Some doubt about scope at his current level; the "
        "loop should probe ownership and standards.", hours=4),
    "wei": Note(HM, (
        Rated(DD, RAISES,
              "Chased a 0.02% mismatch between the ledger and a processor's settlement report: pulled the raw "
              "files, bucketed mismatches by hour, and found they clustered around daylight-saving changes "
              "because the processor stamped local time. Fixed the parser and added a daily reconciliation "
              "check that has since caught two other issues."),
        Rated(DR, MEETS,
              "Rolled idempotency keys out across four payment APIs in the quarter he committed to; picked up "
              "the client-library changes himself when a partner team slipped."),
    ), YES_STRONG, True,
        "One of the best phone screens for this role this year: precise, with the numbers at his fingertips. "
        "Proceed.", hours=1),
    "aaliyah": Note(TOMAS, (
        Rated(OWN, MEETS,
              "Inherited a flaky ETA-prediction service nobody wanted. Wrote a runbook, added alerting on "
              "prediction drift and took on-call pages from about 15 a week to 3, alongside her roadmap work "
              "and without being asked."),
    ), YES, True, "Good energy, concrete examples. Proceed.", hours=2),
    "diego": Note(TOMAS, (
        Rated(BFA, RAISES,
              "During a snowstorm his courier company's routing engine kept sending drivers down closed roads. "
              "Instead of waiting for the map vendor, he shipped a flag the same afternoon that let dispatchers "
              "draw exclusion zones, with a manual rollback. Missed deliveries that week were half those of the "
              "previous storm."),
        Rated(CO, MEETS,
              "Rides along with drivers twice a quarter; the exclusion-zone idea came from a driver's "
              "complaint on one of those days."),
    ), YES, True,
        "Pragmatic, fast, close to the people who use his software. Proceed; the loop should test frugality "
        "and long-term ownership.", hours=3),
    "lucas": Note(AISHA, (
        Rated(LBC, MEETS,
              "Runs a reading group on learning to rank at his lab and explained the trade-offs between "
              "gradient-boosted and neural rerankers clearly."),
        Rated(ARAL, MEETS,
              "Argued against a click-model change that later hurt tail queries; he had the offline numbers "
              "but had not pushed for an online test."),
    ), YES, False,
        "Academic profile, strong fundamentals; unclear how he works under production constraints. Proceed "
        "and let the panel look at that.", hours=5),
    "marta": Note(AISHA, (
        Rated(LBC, RAISES,
              "When her team went multilingual she taught herself enough Polish and Czech morphology to see why "
              "stemming was hurting recall, then built a small evaluation set with native speakers from support. "
              "Used it to stop a tokenizer change that looked good on English-only metrics."),
    ), YES_STRONG, True, "Curious, rigorous and practical about evaluation. Proceed.", hours=2),
    "rebecca": Note(HM, (
        Rated(DR, RAISES,
              "Took over a fraud-rules team that had missed two quarters. Cut the roadmap to three items, moved "
              "to two-week milestones with public demos, and shipped all three in the next half, including "
              "real-time scoring that cut chargebacks by 18%."),
        Rated(HDB, MEETS,
              "Hired six engineers last year and introduced a structured interview loop. Less depth on how she "
              "develops the people already on the team."),
    ), YES_STRONG, True,
        "Impressive turnaround. Proceed; the loop should look hard at how she treats people and at her "
        "hiring bar.", hours=2),
    "kwame": Note(HM, (
        Rated(HDB, RAISES,
              "Grew two engineers to senior in 18 months. Gave one of them the design lead on a risky "
              "migration and coached her through the review, including when the first design was rejected."),
        Rated(TB, MEETS,
              "Has a three-year view of moving risk scoring to streaming with realistic milestones; less clear "
              "on how he would win support for it."),
    ), YES, True, "Thoughtful people leader with a steady delivery record. Proceed.", hours=3),
}

# Step 4: scheduled, not yet held.
PANEL_SAMUEL = [planned("barraiser@demo.test", DD, IHS), planned("interviewer@demo.test", OWN),
                planned("hannah.becker@demo.test", CO), planned("liam.oconnor@demo.test", DR)]
PANEL_AALIYAH = [planned("grace.nakamura@demo.test", OWN), planned("carlos.mendes@demo.test", BFA),
                 planned("emma.clarke@demo.test", FRU), planned("fatima.haddad@demo.test", CO)]

# Step 5: the bar raiser has submitted; interviewer@ has a saved draft; Liam has not started.
PANEL_WEI = [
    Note("barraiser@demo.test", (
        Rated(IHS, RAISES,
              "Asked when he refused to ship. He blocked the launch of a payout-batching service because its "
              "load test used synthetic merchants of uniform size, while real traffic is dominated by a few huge "
              "merchants. He re-ran it on replayed production traffic, found lock contention that halved "
              "throughput, and the launch slipped a week but went out clean. The replay harness is now used "
              "for every release."),
        Rated(DD, RAISES,
              "Gave him a ledger that was out of balance by $3,112.40 on one day. He asked for journal-entry "
              "counts by source first, saw one source at twice its usual volume and guessed a retried batch "
              "without idempotency keys, which was right. He then asked how we would prove the fix by "
              "re-running the day's balance, which most candidates skip."),
    ), YES_STRONG, True,
        "The best depth I have seen from a ledger candidate in a while: he goes to the data, forms a "
        "hypothesis and tests it. High standards for his own work without being precious about it.", hours=2.5),
    Note("interviewer@demo.test", (
        Rated(OWN, MEETS,
              "Asked about something he owned beyond his remit. His on-call rotation had a recurring 3 am page "
              "for stuck refunds; he wrote a sweeper job in his own time and handed it to the owning team with "
              "docs. To add: what happened after the hand-off (he said the other team 'mostly' kept it "
              "running) and whether he checked back."),
    ), YES, None, "Good ownership instincts; still writing up the second example.", hours=None),
    Note("mei.chen@demo.test", (
        Rated(CO, MEETS,
              "Merchants complained that payout reports did not match their bank statements because fees were "
              "netted. He read about 50 support tickets himself and added a fee-breakdown line to the report. "
              "Good that he went to the tickets; the fix was small, and he did not check whether tickets went "
              "down afterwards."),
    ), YES, True,
        "Customer-aware engineer. I would like more evidence that he measures the effect of what he ships, but "
        "nothing concerning.", hours=1.5),
    planned("liam.oconnor@demo.test", DR),
]

# Step 6: all submitted, Julia's a day and a half late; the debrief is under way.
PANEL_MARTA = [
    Note("grace.nakamura@demo.test", (
        Rated(ARAL, RAISES,
              "She argued against her director's plan to replace BM25 with a dense retriever everywhere. Ran an "
              "interleaving test on a 5% slice: dense won on head queries but lost 9% of clicks on long-tail "
              "product codes. They shipped a hybrid, and she wrote down the rule she now uses: if the query "
              "looks like an identifier, trust lexical. She also named a call she got wrong (over-weighting "
              "freshness for electronics) and how she found out."),
    ), YES_STRONG, True,
        "Sound judgement backed by experiments, and honest about her misses. Raises the bar for this level.",
        hours=4),
    Note("ravi.iyer@demo.test", (
        Rated(LBC, MEETS,
              "Asked what she learned most recently. In the last six months she picked up LLM-based query "
              "rewriting, built a prototype on an open model, and could explain its failure modes "
              "(hallucinated brand names). Good, though as far as she told it the work stayed a prototype."),
        Rated(DD, MEETS,
              "When the prototype invented brand names, she sampled 500 rewritten queries, found 4% affected, "
              "and traced most of them to the tokenizer splitting product codes before she touched the model."),
    ), YES, True, "Curious and self-directed; a solid hire for the team.", hours=2),
    Note("julia.novak@demo.test", (
        Rated(ARAL, BELOW,
              "Asked for a call she made with incomplete data. She told her director the March NDCG drop was "
              "seasonal and the team paused two experiments for a fortnight on that word; it was a logging "
              "change. She did not say what she would check first next time."),
        Rated(DD, BELOW,
              "Walked through her relevance dashboard. Asked why NDCG@10 dropped in March, she said "
              "seasonality but could not show the query mix by category for that month. She got to a logging "
              "change as the cause, which it was, only after I pointed at the instrumentation date. She does "
              "dig, but waits to be prompted."),
    ), NO, False,
        "Strong on modelling, weaker on operational depth: she did not check on her own whether the metric "
        "could be trusted. At L6 I expect that without prompting.", hours=38),
    Note("fatima.haddad@demo.test", (
        Rated(IS, MEETS,
              "Replaced a 2,000-line hand-kept synonym list with synonyms mined from query reformulations, "
              "cutting upkeep to a weekly review, and deleted the old list rather than running both."),
    ), YES, True, "A good simplifier. Would hire.", hours=6),
]
PRACTICE_MARTA = Note("shadow@demo.test", (
    Rated(ARAL, MEETS,
          "She described the dense-versus-lexical argument and the interleaving test. I would rate Meets rather "
          "than Raises: the hybrid sounded like her director's compromise, and I did not hear her make the "
          "call herself."),
), YES, True, "Practice feedback: solid judgement; I wanted more on which decisions were hers.", hours=20)

# Grace's summary for Marta's debrief, from the outline the app drafted.
SUMMARY_MARTA = "\n".join([
    "Disagreements",
    "- Are Right, A Lot (Grace: Raises the bar; Julia: Below the bar). Start here. Same candidate, opposite reads: "
    "the retrieval call was hers and backed by an experiment; the seasonality call was not checked. The debrief "
    "should settle which one is typical of how she decides, not average them.",
    "- Dive Deep (Ravi: Meets the bar; Julia: Below the bar). Ravi saw her sample and trace a failure on her own; "
    "Julia had to point her at the logging change. Ask each for the moment she started digging unprompted.",
    "",
    "Single data points",
    "- Invent and Simplify: only Fatima rated it. Strong example; nobody else heard anything against it.",
    "- Learn and Be Curious: only Ravi rated it.",
    "",
    "Uncovered principles",
    "- None.",
    "",
    "Late feedback",
    "- Julia Novák, 38 hours after her interview (due in 24). Her notes are detailed; read them before we meet.",
    "",
    "My read",
    "- Hire unless the Dive Deep gap turns out to be a habit rather than one bad month. Ravi's amendment about "
    "the prototype going to production matters here.",
])

# Emma Clarke shadowed the bar raiser's interview on two earlier loops (Lucas, Priyanka).
PRACTICE_LUCAS = Note("emma.clarke@demo.test", (
    Rated(DD, BELOW,
          "Sat in on Seun's click-through question. He went straight to model changes and never asked for the "
          "query mix or the logging; when Seun pointed at the dashboard he read the top line only. Below."),
), NO, False, "Practice feedback: agree with Seun's read; I would have probed the instrumentation sooner.",
    hours=18)
PRACTICE_PRIYANKA = Note("emma.clarke@demo.test", (
    Rated(IHS, RAISES,
          "Her double-entry tests are the standard, not a one-off: she showed the check that fails the build "
          "when a posting change lacks a balancing test, and the two incidents it has caught since."),
), YES, True, "Practice feedback: raises the bar on standards; I would concur with a hire.", hours=20)

PANEL_KWAME = [
    Note("seun.adeyemi@demo.test", (
        Rated(HDB, RAISES,
              "Asked about a hire he got wrong. A senior engineer who interviewed well on system design "
              "struggled with ambiguity; he saw it within six weeks from missed design-doc dates, set up weekly "
              "design reviews, and after three months agreed with the engineer on a move to a platform team "
              "with better-defined work, where she is doing well. He then added an ambiguous-scope exercise to "
              "his own loop and showed me the calibration notes he wrote for his interviewers."),
        Rated(BB, MEETS,
              "Disagreed with his VP about freezing the risk-rules engine during peak season. Made the case in "
              "writing with incident data, lost, then ran the freeze properly, break-glass process included. "
              "Committed well; I would have liked him to bring a counter-proposal, not only objections."),
    ), YES, True,
        "A real developer of people with a thoughtful hiring bar; better than half of our current managers at "
        "this level.", hours=3),
    Note("hannah.becker@demo.test", (
        Rated(ET, MEETS,
              "Missed a commitment to finance on dispute automation. He called the finance lead himself before "
              "the deadline, explained what slipped and why, and gave a new date he then met. He owned his part "
              "without blaming the upstream team, which had also slipped."),
    ), YES, True, "Straightforward and trustworthy.", hours=5),
    Note("mei.chen@demo.test", (
        Rated(TB, BELOW,
              "Asked for his boldest idea: consolidating three fraud vendors into one in-house model. "
              "Reasonable but incremental, and asked what the world looks like in three years he stayed at "
              "the tooling level."),
    ), NO, False, "A solid operator; I did not see the ambition we need for the risk org.", hours=2),
    Note("noah.fischer@demo.test", (
        Rated(DR, RAISES,
              "Built chargeback-representment automation scoped to the three reason codes that make up 71% of "
              "volume; shipped in ten weeks and recovered $2.4M in two quarters. He set the metric himself and "
              "reported it monthly, including the month it dipped."),
    ), YES_STRONG, True, "Measurable delivery with the right inputs tracked. Strong hire.", hours=1),
]

PANEL_PRIYANKA = [
    Note("grace.nakamura@demo.test", (
        Rated(IHS, RAISES,
              "She introduced 'double-entry tests' on her team: every change to posting logic ships with a "
              "property test that sums all accounts to zero over random sequences of operations. It found two "
              "bugs in the first month, one of which would have double-credited reversed chargebacks. She also "
              "reviews every incident's corrective actions herself and closes them in the team's weekly."),
    ), YES_STRONG, True, "Exceptionally high standards, applied through mechanisms rather than heroics.",
        hours=2),
    Note("interviewer@demo.test", (
        Rated(OWN, RAISES,
              "Month-end close kept slipping and belonged to finance systems, not her team. She mapped its 14 "
              "manual steps, automated 9 of them over two sprints and wrote the runbook for the rest; close went "
              "from six days to two. She then handed it back with an SLO instead of keeping it."),
        Rated(DR, MEETS,
              "The refunds migration landed three weeks late. New detail: rather than slip further she cut the "
              "legacy-path decommission into a follow-up, which shipped a month later."),
    ), YES, True, "Owns outcomes beyond her team's borders. Delivery solid rather than exceptional.", hours=4),
    Note("hannah.becker@demo.test", (
        Rated(CO, MEETS,
              "Walked me through the Saturday-payout change; well grounded in the merchant's experience. Asked "
              "to choose between two merchant requests of equal volume, she went to churn data to decide."),
    ), YES, True, "Inclined; good customer instincts.", hours=3),
    Note("liam.oconnor@demo.test", (
        Rated(DD, MEETS,
              "Gave her a balance drift in a multi-currency wallet. She found the FX rounding issue in about 15 "
              "minutes once she asked for per-currency totals, but needed a nudge to consider when rate "
              "snapshots are taken relative to postings."),
    ), NO, False, "Capable, but I expected faster depth on FX at L6. Not inclined, lightly held.", hours=6),
]

PANEL_DIEGO = [
    Note("barraiser@demo.test", (
        Rated(CO, RAISES,
              "He started a Friday review where the team reads 20 random failed-delivery notes from drivers. "
              "From one of them he found apartment blocks whose gate codes were missing from the address data, "
              "and added a driver-notes field that carries over to the next delivery at that address; failed "
              "deliveries there dropped 35%. Every answer started from the driver or the recipient."),
    ), YES_STRONG, True, "Genuinely customer-obsessed, on both ends of the delivery. Raises the bar for L5.",
        hours=2),
    Note("carlos.mendes@demo.test", (
        Rated(BFA, RAISES,
              "When the mapping provider's API started timing out before the holiday peak, he cached the last "
              "24 hours of route tiles and shipped a degraded-but-working mode in two days with a clear "
              "rollback. He explained why it was a two-way door and what would have made him wait."),
    ), YES_STRONG, True, "Fast, and thoughtful about which decisions are reversible.", hours=3),
    Note("emma.clarke@demo.test", (
        Rated(FRU, MEETS,
              "Cut the routing cluster's cost by 40% by moving overnight re-optimisation to spot instances and "
              "accepting results ten minutes later. Asked about a time he had no budget, his answer was to ask "
              "for more headcount rather than re-scope."),
    ), YES, True, "Frugal with infrastructure, less so with people. Inclined.", hours=5),
    Note("kenji.watanabe@demo.test", (
        Rated(OWN, MEETS,
              "Owns his service's on-call and runs a quarterly 'what breaks next' review. Fixed a downstream "
              "team's bug because it was hurting his drivers, then got that team to adopt the fix. I would have "
              "liked to hear about a longer-term bet he made."),
    ), YES, False, "A solid owner at L5. Late write-up, sorry: I was travelling.", hours=30),
]

PANEL_LUCAS = [
    Note("seun.adeyemi@demo.test", (
        Rated(DD, BELOW,
              "Asked him to diagnose a drop in click-through on a results page. He proposed three model changes "
              "before asking a single question about the data, and given the log summary he missed the bot "
              "traffic spike that explained the drop."),
    ), NO, False, "Reaches for a model before looking at the data; below the bar for a role that owns "
                  "production metrics.", hours=2),
    Note("ravi.iyer@demo.test", (
        Rated(LBC, RAISES,
              "Has read and reimplemented three recent papers on learned sparse retrieval and could critique "
              "their evaluation set-ups. Built a small benchmark in his own time to test one claim and found it "
              "did not hold on e-commerce data."),
    ), YES, True, "Intellectually strong; would be a great addition to a research group.", hours=4),
    Note("julia.novak@demo.test", (
        Rated(ARAL, BELOW,
              "Asked about a decision that turned out wrong. He shipped a personalisation feature that hurt new "
              "users; asked what he would do differently, he blamed the A/B test duration another team set and "
              "named nothing he would change himself."),
    ), NO, False, "Judgement unproven in production, and little self-criticism.", hours=3),
    Note("noah.fischer@demo.test", (
        Rated(IS, BELOW,
              "His idea for simplifying the ranking stack was a fourth model to arbitrate between the three "
              "that exist. Asked about removing one, he said all three were needed but could not say what each "
              "contributed."),
    ), NO_STRONG, False, "Adds complexity by default.", hours=2),
]

PANEL_REBECCA = [
    Note("barraiser@demo.test", (
        Rated(ET, CONCERN,
              "Asked about a project that failed, she described last spring's fraud-platform outage and put it "
              "entirely on 'a junior engineer who pushed a bad config', naming him twice. Asked what she changed "
              "in the team's process, she said she 'had a conversation with him'. No mention of the missing "
              "config validation or of her own deadlines. Same framing when I came back to it a second way."),
        Rated(HDB, BELOW,
              "Two of the six people she hired last year left within nine months; she put both down to 'not a "
              "fit for the pace'. Could not name anyone she had developed into a bigger role."),
    ), NO_STRONG, False,
        "Strong concern on Earn Trust: blame pushed downward, repeatedly, with no self-criticism. I would not "
        "want our engineers reporting to this manager.", hours=3),
    Note("interviewer@demo.test", (
        Rated(DR, RAISES,
              "Went through the turnaround in detail: three milestones, public demos every two weeks, real-time "
              "scoring shipped, chargebacks down 18%. She knew the number month by month and which inputs "
              "moved it."),
    ), YES_STRONG, True, "An outstanding delivery record; she knows her numbers cold.", hours=2),
    Note("liam.oconnor@demo.test", (
        Rated(TB, MEETS,
              "Has a credible plan to move risk scoring onto a platform shared by three business lines, "
              "sensibly sequenced; the vision was mostly a technical one."),
    ), YES, True, "Inclined.", hours=4),
    Note("mei.chen@demo.test", (
        Rated(BB, MEETS,
              "Pushed back on her VP about launching in a new market without a fraud model, wrote the doc and "
              "won a four-week delay. But when her own team disagreed with her on-call design she overrode them "
              "without discussion, and presented that as decisiveness."),
    ), YES, False, "Backbone upward, less openness downward. Lightly inclined.", hours=5),
]
