"""`python -m agent` runs the node agent, as the `minispod-agent` console script does."""

from agent.cli import main

raise SystemExit(main())
