"""Suite-wide settings.

Hypothesis explores fresh random examples on every developer run; under CI
(``CI`` set, as ``.ci/run`` is) it is derandomised, so a landing is decided
by the code and not by the luck of a seed. A failure found locally is kept
in ``.hypothesis/`` and replayed first.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# The CLI's own command line keeps the models it parses (procalg.syntax.parse_cache):
# the suite's subprocesses keep theirs in a folder of this run's, not the user's cache
if "PROCALG_CACHE_DIR" not in os.environ:
    os.environ["PROCALG_CACHE_DIR"] = tempfile.mkdtemp(prefix="procalg-parsed-")
    atexit.register(shutil.rmtree, os.environ["PROCALG_CACHE_DIR"], True)
