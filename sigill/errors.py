"""Errors of the composition root.

    StartupError    a part cannot be opened at start (store, blobs, keys, data directory, port);
                    the message is one line for the operator, printed without a traceback

The CLI catches it at the top (`sigill.cli.main`), prints `sigill: <message>` on stderr and exits
with status 1.
"""


class StartupError(Exception):
    """Sigill cannot start; the message says what to fix, in one line, never a secret."""
