"""Colours and the stylesheet: big, calm type; state colours a clerk reads at a glance."""

from __future__ import annotations

STATE_COLOURS = {
    "logged_out": "#6b7280",
    "logging_in": "#6b7280",
    "change_password": "#6b7280",
    "not_ready": "#b45309",
    "ready": "#15803d",
    "offered": "#c2410c",
    "in_call": "#1d4ed8",
    "wrap_up": "#7c3aed",
}
QUALITY_COLOURS = {"good": "#15803d", "fair": "#b45309", "poor": "#b91c1c"}

STYLESHEET = """
QWidget { font-family: "DejaVu Sans", "Segoe UI", sans-serif; font-size: 14px; color: #111827; }
QMainWindow, #page { background: #f3f4f6; }
#card { background: white; border: 1px solid #d1d5db; border-radius: 8px; }
#title { font-size: 20px; font-weight: bold; }
#subtle { color: #4b5563; }
#big { font-size: 28px; font-weight: bold; }
#huge { font-size: 56px; font-weight: bold; }
#statePill { color: white; border-radius: 6px; padding: 4px 12px; font-weight: bold;
             font-size: 16px; }
#notice { background: #fef3c7; border: 1px solid #f59e0b; border-radius: 6px; padding: 6px 10px;
          color: #78350f; }
#error { color: #b91c1c; font-weight: bold; }
QPushButton { padding: 8px 16px; border-radius: 6px; border: 1px solid #9ca3af;
              background: #ffffff; }
QPushButton:hover { background: #f9fafb; }
QPushButton:disabled { color: #9ca3af; border-color: #e5e7eb; }
QPushButton#primary { background: #15803d; color: white; border: none; font-weight: bold; }
QPushButton#primary:disabled { background: #86efac; }
QPushButton#danger { background: #b91c1c; color: white; border: none; font-weight: bold; }
QPushButton#toggleOn { background: #fde68a; border-color: #b45309; }
QTableWidget { background: white; gridline-color: #e5e7eb; font-size: 15px; }
QHeaderView::section { background: #e5e7eb; padding: 6px; border: none; font-weight: bold; }
QLineEdit, QPlainTextEdit, QComboBox { padding: 6px; border: 1px solid #9ca3af; border-radius: 4px;
                                       background: white; }
QProgressBar { border: 1px solid #9ca3af; border-radius: 4px; background: white; height: 14px;
               text-align: center; }
QProgressBar::chunk { background: #c2410c; }
QListWidget { background: white; font-size: 15px; }
QListWidget::item { padding: 6px; }
QListWidget::item:selected { background: #dbeafe; color: #111827; }
"""
