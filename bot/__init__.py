"""Fellowship bot: daily check-ins, supporters, meetings and release-day companions.

The package is the core and the composition root: settings, database, domain services
(which never import `telegram`) and the one factory that builds the PTB Application.
"""

import os

__version__ = "0.1.0"

# Opt in now to PTB's coming behaviour: durations (RetryAfter.retry_after, ...) as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
