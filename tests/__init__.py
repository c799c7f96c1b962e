"""The test suite. Background jobs queue into a throwaway store, never the project's instance/ folder."""

import os
import tempfile

os.environ.setdefault("JOBS_SQLITE_PATH", os.path.join(tempfile.mkdtemp(prefix="test-jobs-"), "jobs.db"))
