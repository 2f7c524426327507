"""`python -m convsign_agent` (and the zipapp) run the command line."""

from convsign_agent.cli import main

raise SystemExit(main())
