"""The sixteen leadership principles a new company starts with.

The initial migration copies this list; it stays here as the reference the
demo company and the tests read.
"""

LEADERSHIP_PRINCIPLES: list[tuple[str, str]] = [
    ("Customer Obsession",
     "Leaders start with the customer and work backwards; they work vigorously to earn "
     "and keep customer trust."),
    ("Ownership",
     "Leaders are owners: they think long term, act on behalf of the entire company, and "
     "never say \"that's not my job.\""),
    ("Invent and Simplify",
     "Leaders expect and require innovation and invention from their teams, and always "
     "find ways to simplify."),
    ("Are Right, A Lot",
     "Leaders are right a lot: they have strong judgment and good instincts, and seek "
     "diverse perspectives to disconfirm their beliefs."),
    ("Learn and Be Curious",
     "Leaders are never done learning, always seek to improve themselves, and explore "
     "new possibilities."),
    ("Hire and Develop the Best",
     "Leaders raise the performance bar with every hire and promotion, and develop "
     "leaders who coach others."),
    ("Insist on the Highest Standards",
     "Leaders have relentlessly high standards and ensure defects do not get sent down "
     "the line."),
    ("Think Big",
     "Thinking small is a self-fulfilling prophecy; leaders create and communicate a "
     "bold direction that inspires results."),
    ("Bias for Action",
     "Speed matters in business: many decisions are reversible and do not need "
     "extensive study; calculated risk taking is valued."),
    ("Frugality",
     "Accomplish more with less: constraints breed resourcefulness, self-sufficiency, "
     "and invention."),
    ("Earn Trust",
     "Leaders listen attentively, speak candidly, treat others respectfully, and are "
     "vocally self-critical."),
    ("Dive Deep",
     "Leaders operate at all levels, stay connected to the details, audit frequently, "
     "and are skeptical when metrics and anecdote differ."),
    ("Have Backbone; Disagree and Commit",
     "Leaders respectfully challenge decisions when they disagree, and once a decision "
     "is made they commit wholly."),
    ("Deliver Results",
     "Leaders focus on the key inputs for their business and deliver them with the "
     "right quality and in a timely fashion."),
    ("Strive to be Earth's Best Employer",
     "Leaders work every day to create a safer, more productive, higher performing, more "
     "diverse, and more just work environment."),
    ("Success and Scale Bring Broad Responsibility",
     "We started in a garage but are not there anymore; leaders are humble about the "
     "secondary effects of their actions and make tomorrow better than today."),
]
