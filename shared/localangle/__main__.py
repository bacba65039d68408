"""`python -m localangle` runs the command line."""

from localangle.cli import main

raise SystemExit(main())
