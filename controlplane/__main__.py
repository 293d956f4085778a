"""`python -m controlplane` is `minispod-controlplane`."""

import sys

from controlplane.cli import main

sys.exit(main())
