"""The home page and the language switch."""
