"""The cleaning rules, one small class each; importing this package registers them all.

Within a level, rules run in the order of the modules below and of the classes in them:
the most specific checks first, so that the ledger names the clearest reason for a drop.
"""

from xuanyuan.clean.rules import normalize  # noqa: F401  char
from xuanyuan.clean.rules import lines  # noqa: F401  line
from xuanyuan.clean.rules import pii, markers  # noqa: F401  sentence
# Document filters: what a text is (encoding, language, spam) before how long and how repetitive
# it is, so that a drop is credited to its most specific cause.
from xuanyuan.clean.rules import content, spam, length, gopher, fineweb  # noqa: F401  document
