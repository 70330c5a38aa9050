"""Incidents: grouping, routing, lifecycle, deadlines, escalation and the audit log."""
