"""The frozen program's entry point: the same as the `mostrador` command (no COMMAND opens the
cashier's window). Both executables of the bundle run this script."""
import multiprocessing

from app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    raise SystemExit(main())
