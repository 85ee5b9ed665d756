"""Findings: every problem extraction meets is recorded, never raised and never silently fixed."""

from __future__ import annotations


def finding(check: str, where: str, message: str, severity: str = "error") -> dict:
    return {"check": check, "severity": severity, "where": where, "message": message}
