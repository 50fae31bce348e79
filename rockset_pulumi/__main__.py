"""``python -m rockset_pulumi verify ...``: the ``rockset-privatelink`` command (see
:mod:`rockset_pulumi.cli`)."""

import sys

from .cli import main

# Importing the module (as tools that walk the package do) must not run the command.
if __name__ == "__main__":
    sys.exit(main())
