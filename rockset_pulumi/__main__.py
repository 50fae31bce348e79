"""``python -m rockset_pulumi verify ...``: the ``rockset-privatelink`` command (see
:mod:`rockset_pulumi.cli`)."""

import sys

from .cli import main

sys.exit(main())
