"""Translation: every visible text goes through `tr(context, text)` (QCoreApplication.translate
with an explicit context: PySide's self.tr() takes the runtime class and loses subclasses)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

_installed: list[QTranslator] = []


def tr(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def install(app) -> None:
    """Qt's own Spanish strings (standard buttons, dialogs) for es_EC."""
    QLocale.setDefault(QLocale(QLocale.Language.Spanish, QLocale.Country.Ecuador))
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    t = QTranslator(app)
    if t.load(QLocale(QLocale.Language.Spanish, QLocale.Country.Ecuador), "qtbase", "_", path):
        app.installTranslator(t)
        _installed.append(t)
