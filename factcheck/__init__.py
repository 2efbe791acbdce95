"""Verify fact-check citations against an archived corpus and build the site."""

__version__ = "0.2.0"
# The name pip installs it by (`factcheck` on PyPI is another project); the
# package and the command are `factcheck`.
DISTRIBUTION = "factcheck-desk"
