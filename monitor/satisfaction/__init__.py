"""Residents' reactions to answers: read by a small model; not satisfied reopens the incident."""
