"""`python -m app` is the same as the `mostrador` command."""
from app.cli import main

raise SystemExit(main())
