"""Start Mostrador with the user's session, so the transmitter runs even if nobody opens the
window: a value under HKCU\\…\\Run on Windows, an XDG autostart entry
(~/.config/autostart/mostrador.desktop) elsewhere. No admin rights, per user, undone by
`disable()` (and by the Windows uninstaller). Whether it is wanted is the setting
`ui.autostart` ("1"/"0"); unset, it is on for the installed (frozen) program only, so a developer
checkout never registers itself."""
from __future__ import annotations

import os
import sys
from pathlib import Path

SETTING = "ui.autostart"
NAME = "Mostrador"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
DESKTOP_FILE = "mostrador.desktop"
GUI_EXE = "mostradorw"  # packaging/layout.py: the windowed program next to the console one


def command() -> list[str]:
    """How to start the cashier's window: the bundle's windowed program when frozen, else
    `python -m app` of this interpreter."""
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable)
        gui = exe.with_name(GUI_EXE + exe.suffix)
        return [str(gui if gui.exists() else exe)]
    return [sys.executable, "-m", "app"]


def wanted(setting_value) -> bool:
    """The setting's answer; unset → on only for the installed program."""
    if setting_value in (None, ""):
        return bool(getattr(sys, "frozen", False))
    return str(setting_value).strip().lower() in ("1", "true", "yes", "si", "sí")


def autostart_file(home: Path | None = None) -> Path:
    """The XDG autostart entry ($XDG_CONFIG_HOME/autostart, else ~/.config/autostart)."""
    config = os.environ.get("XDG_CONFIG_HOME")
    base = Path(config) if config and home is None else (home or Path.home()) / ".config"
    return base / "autostart" / DESKTOP_FILE


def _exec_quote(arg: str) -> str:
    """One Exec= argument (Desktop Entry Specification): reserved characters → double quotes
    with \\ before " ` $ \\; then the string-value rule doubles every backslash."""
    if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`='):
        return arg
    quoted = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
    return quoted.replace("\\", "\\\\")


def _exec_split(value: str) -> list[str]:
    """The inverse of joining `_exec_quote`d arguments with spaces."""
    value = value.replace("\\\\", "\\")  # the string-value escape first
    args, cur, quoted, i, started = [], [], False, 0, False
    while i < len(value):
        c = value[i]
        if quoted and c == "\\" and i + 1 < len(value):
            cur.append(value[i + 1])
            i += 2
            continue
        if c == '"':
            quoted, started = not quoted, True
        elif c == " " and not quoted:
            if started or cur:
                args.append("".join(cur))
            cur, started = [], False
        else:
            cur.append(c)
        i += 1
    if started or cur:
        args.append("".join(cur))
    return args


def _desktop_entry(cmd: list[str]) -> str:
    return ("[Desktop Entry]\n"
            "Type=Application\n"
            f"Name={NAME}\n"
            "Comment=Punto de venta: transmite los documentos pendientes\n"
            f"Exec={' '.join(_exec_quote(a) for a in cmd)}\n"
            "Terminal=false\n"
            "X-GNOME-Autostart-enabled=true\n")


def _windows_cmdline(cmd: list[str]) -> str:
    import subprocess

    return subprocess.list2cmdline(cmd)


def enable(cmd: list[str] | None = None, *, home: Path | None = None) -> None:
    cmd = cmd or command()
    if sys.platform == "win32":
        import winreg

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            winreg.SetValueEx(key, NAME, 0, winreg.REG_SZ, _windows_cmdline(cmd))
        return
    path = autostart_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(_desktop_entry(cmd), encoding="utf-8")
    os.replace(tmp, path)


def disable(*, home: Path | None = None) -> None:
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, NAME)
        except FileNotFoundError:
            pass
        return
    autostart_file(home).unlink(missing_ok=True)


def registered(*, home: Path | None = None) -> list[str] | None:
    """The command registered to start with the session, or None."""
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                return [winreg.QueryValueEx(key, NAME)[0]]
        except FileNotFoundError:
            return None
    path = autostart_file(home)
    if not path.exists():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            return _exec_split(line[len("Exec="):])
    return None


def apply(want: bool, *, home: Path | None = None) -> None:
    """Makes the registration match `want` (best effort: a read-only profile is not an error
    worth stopping the till for; the caller logs it)."""
    if want:
        enable(home=home)
    else:
        disable(home=home)
