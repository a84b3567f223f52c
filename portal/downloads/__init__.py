"""Download of approved exports, and the purge of expired ones (`files`, `views`, `cli`)."""
