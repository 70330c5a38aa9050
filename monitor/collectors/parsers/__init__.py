"""Parsers: a response body in, input records out; no network here."""
