"""Route Qt's own messages into Python logging, so they reach the log file instead of the terminal.

Qt prints platform chatter such as "This plugin does not support propagateSizeHints()" on stderr; the
person needs none of it, the log file keeps all of it, and real Qt errors still reach stderr as errors.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QtMsgType, qInstallMessageHandler

log = logging.getLogger("qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.DEBUG,
    QtMsgType.QtWarningMsg: logging.INFO,  # mostly platform chatter; kept in the log file
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _handler(msg_type: QtMsgType, _context, message: str) -> None:
    log.log(_LEVELS.get(msg_type, logging.WARNING), "%s", message)


def route_qt_messages_to_logging() -> None:
    qInstallMessageHandler(_handler)
