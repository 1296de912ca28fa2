"""The login `ofsted-qa serve` requires: USER:PASSWORD from --auth, --auth-file or $OFSTED_QA_AUTH.

A file or the environment keeps the password out of the process list (`ps` shows every argument).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.environment import AUTH


@dataclass(frozen=True)
class Credentials:
    """One user name and its password (never shown in a repr)."""

    user: str
    password: str = field(repr=False)

    @classmethod
    def parse(cls, text: str, source: str) -> Credentials:
        """Read "USER:PASSWORD" (the password may hold colons).

        Args:
            text: the value.
            source: where it came from, for the message ("--auth", a file, the variable).
        Raises:
            ValueError: no colon, an empty user name or an empty password: the message says which.
        """
        user, colon, password = text.partition(":")
        if not colon:
            raise ValueError(f"{source} takes USER:PASSWORD (a user name, a colon, a password)")
        if not user.strip():
            raise ValueError(f"{source}: the user name before the colon is empty (USER:PASSWORD)")
        if not password:
            raise ValueError(f"{source}: the password after the colon is empty; a login without a password "
                             "protects nothing (USER:PASSWORD)")
        return cls(user, password)


def read_credentials(
    auth: str | None, auth_file: str | Path | None, from_environment: str | None
) -> Credentials | None:
    """The login to require: --auth, else --auth-file, else $OFSTED_QA_AUTH; None when none is given.

    Args:
        auth: the --auth value.
        auth_file: a file whose one line is USER:PASSWORD (a trailing newline is fine).
        from_environment: the value of $OFSTED_QA_AUTH.
    Raises:
        ValueError: the file cannot be read or holds more than one line, or the value is not a
            user name and a password (see Credentials.parse).
    """
    if auth is not None:
        return Credentials.parse(auth, "--auth")
    if auth_file is not None:
        try:
            lines = [line for line in Path(auth_file).read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"--auth-file {auth_file}: cannot be read ({exc})") from None
        if len(lines) != 1:
            raise ValueError(f"--auth-file {auth_file}: needs one line USER:PASSWORD, has {len(lines)} lines")
        return Credentials.parse(lines[0], f"--auth-file {auth_file}")
    if from_environment is not None:
        return Credentials.parse(from_environment, f"${AUTH}")
    return None
