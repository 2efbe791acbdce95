#!/usr/bin/env python3
"""Command-line entry point: see `python build.py --help`."""

import sys

from factcheck.cli import main

if __name__ == "__main__":
    sys.exit(main())
