"""The debrief report: its data and fingerprint, the vote chart, the PDF and its download."""
