"""Colours and the application style sheet. Status colours are shared by every view."""
from __future__ import annotations

from app.core.status import AUTHORIZED, CANCELLED, REJECTED, SENT, SIGNED

STATUS_COLORS = {  # background, text
    SIGNED: ("#fff3cd", "#7a5b00"),  # pendiente
    SENT: ("#dbe9ff", "#0b3d91"),  # enviado
    AUTHORIZED: ("#d4edda", "#155724"),  # autorizado
    REJECTED: ("#f8d7da", "#8a1c24"),  # rechazado
    CANCELLED: ("#e2e3e5", "#41464b"),  # anulado
}
WARN = "#b35c00"
DANGER = "#b00020"
OK = "#1b7f3b"

STYLE = """
QWidget { font-size: 14px; }
QPushButton { padding: 6px 6px; }
QPushButton#primary { background: #1b5e20; color: white; font-weight: bold; font-size: 16px; padding: 10px; }
QPushButton#primary:disabled { background: #9e9e9e; }
QPushButton[nav="true"] { text-align: left; padding: 10px 12px; border: none; color: #e8eaf6; background: transparent; }
QPushButton[nav="true"]:checked { background: #3949ab; color: white; font-weight: bold; }
QWidget#navbar { background: #1a237e; }
QLineEdit#code { font-size: 22px; padding: 6px; }
QLabel#total { font-size: 34px; font-weight: bold; color: #1b5e20; }
QLabel#bigmsg { font-size: 16px; }
QLabel#error { color: #b00020; font-weight: bold; }
QLabel#hint { color: #555; }
QLabel#badge { padding: 2px 8px; border-radius: 4px; font-weight: bold; }
QTableView { gridline-color: #ddd; }
QTableView::item:selected { background: #3949ab; color: white; }
QHeaderView::section { background: #eceff1; padding: 4px; border: none; font-weight: bold; }
"""
