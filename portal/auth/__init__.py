"""Sign-in, sign-out, lockout, idle timeout, role checks and the account CLI commands."""
