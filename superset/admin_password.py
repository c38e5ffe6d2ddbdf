"""The password rule for Superset accounts the lakehouse creates (the admin and analysts).

A password is refused when it is shorter than 12 characters, is one of a short list of well-known
passwords (case-insensitive), or contains the user name. Used by bootstrap.py and users.py; also
runnable on its own with any Python 3, so the start script can refuse a weak admin password before
installing or starting anything:

    SUPERSET_ADMIN_USER=... SUPERSET_ADMIN_PASSWORD=... python3 superset/admin_password.py

exits 0 when the admin credentials are usable, 1 with a message naming the variable otherwise.
"""

import os
import sys

MIN_LENGTH = 12
# Lower-case; compared against the lower-cased password.
DENY_LIST = {
    "admin", "administrator", "password", "password1", "password123", "passw0rd", "changeme",
    "changeme123", "change_me", "superset", "superset123", "lakehouse", "lakehouse123", "secret",
    "letmein", "welcome", "qwerty", "qwertyuiop", "123456789012", "1234567890ab", "adminadminadmin",
    "admin1234567", "administrator1", "passwordpassword", "supersetadmin", "trinotrino12",
}


class WeakPasswordError(ValueError):
    """Raised with a message naming what is wrong with a password (never the password itself)."""


def check_password(user: str, password: str | None, what: str = "SUPERSET_ADMIN_PASSWORD") -> str:
    if not password:
        raise WeakPasswordError(f"{what}: not set; choose a password of at least {MIN_LENGTH} characters")
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"{what}: shorter than {MIN_LENGTH} characters")
    lowered = password.lower()
    if lowered in DENY_LIST:
        raise WeakPasswordError(f"{what}: a well-known password (on the deny-list); choose another")
    if user and user.lower() in lowered:
        raise WeakPasswordError(f"{what}: contains the user name {user!r}")
    return password


def check_user(user: str | None, what: str = "SUPERSET_ADMIN_USER") -> str:
    if not user:
        raise WeakPasswordError(f"{what}: not set; name the admin account (there is no default admin)")
    return user


def admin_from_env(env=os.environ) -> tuple[str, str]:
    user = check_user(env.get("SUPERSET_ADMIN_USER"))
    return user, check_password(user, env.get("SUPERSET_ADMIN_PASSWORD"))


if __name__ == "__main__":
    try:
        admin_from_env()
    except WeakPasswordError as err:
        print(f"superset: {err}", file=sys.stderr)
        sys.exit(1)
