"""`fellowship sandbox`: the real bot in a browser, as several people at once, with no token.

Modules: `engine` (stand-in + bot + clock in one event loop), `web` (the page and its JSON
API), `cast` (the simulated people and what survives a restart), `places` (UK presets for
sharing a location), `demo_meetings` (fictional meetings for a new database), `keyfile` (the
generated secret), `hub` (live events to open pages), `cli` (start, print the address, stop
on Ctrl+C).
"""

from bot.sandbox.cli import main
from bot.sandbox.engine import Sandbox, SandboxInputError, SandboxOptions

__all__ = ["Sandbox", "SandboxInputError", "SandboxOptions", "main"]
