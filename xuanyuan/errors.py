"""The base of errors that are a user's to fix (bad config, bad input file), not bugs.

Rule scripts report these as their message alone (runlog.logged_to): the message names the file,
the record and the fix, and a traceback would only bury it.
"""


class UserError(ValueError):
    """A mistake in the config or the inputs; the message says what to change."""
