"""The one family of errors a user can cause; the CLI and the web turn them into messages."""

from __future__ import annotations


class OtklikError(Exception):
    """An error a user can act on; its message is shown as it is (in Russian)."""

    exit_code = 1


class ConfigError(OtklikError):
    """The configuration file or an environment variable is wrong."""


class InputError(OtklikError):
    """An input file or record is malformed."""


class NotFound(OtklikError):
    """A named thing (incident, recipient, user, source) does not exist."""


class TransitionError(OtklikError):
    """An action is not allowed in the incident's current state."""


class StoreError(OtklikError):
    """The database cannot be reached, is locked or is not migrated."""


class AccessDenied(OtklikError):
    """The user may not see or do this."""
