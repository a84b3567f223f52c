"""User administration: list, create, roles, unlock, deactivate."""
