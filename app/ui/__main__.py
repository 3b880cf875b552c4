"""`python -m app.ui [--data-dir DIR] [--demo]` opens the cashier's window."""
from app.ui.main import main

raise SystemExit(main())
