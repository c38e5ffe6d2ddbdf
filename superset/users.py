"""Analyst accounts for the lakehouse's Superset: read-only, and restricted to their studies.

Run by scripts/superset-user.sh with the Superset install's python (SUPERSET_CONFIG_PATH set):

    python superset/users.py add <name> --study <id> [--study <id> ...]   create, or change the studies
    python superset/users.py remove <name>
    python superset/users.py list [--json]
    python superset/users.py sync       re-apply role and filters to the current datasets (the bootstrap runs it)

Every analyst gets two roles:
- `Lakehouse Analyst`, shared: Gamma's permissions without any that create, change, delete, export or
  administer (no chart/dashboard/dataset/database writes, no SQL Lab, no row-level-security or user
  screens), plus read access (datasource_access) to every dataset of the lakehouse database that
  has a `listener_id` column. Datasets without one (cohort-wide results over every study, the ops run
  logs) stay admin-only.
- `lakehouse-analyst:<name>`, personal, holding no permission: the row-level-security rule
  `lakehouse-studies:<name>` (Regular) is attached to it, on every lakehouse dataset with `listener_id`:

      listener_id IN (SELECT listener_id FROM lakehouse.silver.listener_studies WHERE study_id IN ('a', 'b'))

An analyst without any study gets `1 = 0` (no rows), never every row. `add` sets a password for a
new or removed account, and for any account when SUPERSET_USER_PASSWORD is set (it must pass the
admin's rule); otherwise one is generated and printed once on stdout. `remove` deletes the account,
or, when Superset keeps rows that refer to it, leaves it inactive without roles or a known password.
Exit codes: 0 ok, 1 failure, 2 usage error.
"""

import argparse
import contextlib
import json
import os
import re
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from admin_password import WeakPasswordError, check_password  # noqa: E402

ANALYST_ROLE = "Lakehouse Analyst"
PERSONAL_ROLE_PREFIX = "lakehouse-analyst:"
RLS_PREFIX = "lakehouse-studies:"
DATABASE_NAME = "Lakehouse (Trino)"
TRINO_CATALOG = "lakehouse"
FILTER_COLUMN = "listener_id"
# The same rule as lib/study-id.ts: a slug that is a plain SQL string literal without escaping.
STUDY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
USER_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")

# What Gamma grants that an analyst must not have: writes, exports, administration, SQL Lab.
DENIED_PERMISSIONS = {
    "can_write", "can_add", "can_edit", "can_delete", "can_export", "can_export_as_example",
    "can_delete_embedded", "can_bulk_create", "can_tag", "can_file_handler", "can_invalidate",
    "can_csv_upload", "can_sqllab", "can_execute_sql_query",
}
# Explore and dashboard state (filters, permalinks) is written per user, not into shared objects.
ALLOWED_WRITES = {"DashboardFilterStateRestApi", "DashboardPermalinkRestApi", "ExploreFormDataRestApi", "ExplorePermalinkRestApi"}
DENIED_VIEWS = {"SQLLab", "SQL Lab", "SavedQuery", "Query", "RowLevelSecurity", "UserRegistrationsRestAPI", "security", "user", "CacheRestApi", "Databases"}


class UsageError(ValueError):
    """A bad argument: exit code 2."""


def log(message: str) -> None:
    print(f"superset users: {message}", file=sys.stderr)


def check_study(study: str) -> str:
    if not STUDY_ID.match(study or ""):
        raise UsageError(
            f"--study: {study!r} is not a valid study id (1-64 characters: lowercase letters, digits, "
            "'_' and '-', starting with a letter or digit)"
        )
    return study


def check_name(name: str) -> str:
    if not USER_NAME.match(name or ""):
        raise UsageError(f"{name!r}: not a valid analyst name (lowercase letter first, then up to 63 of a-z 0-9 _ . -)")
    return name


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def studies_clause(studies: list[str]) -> str:
    """The RLS clause for these studies; no study means no row."""
    if not studies:
        return "1 = 0"
    ids = ", ".join(sql_literal(check_study(s)) for s in sorted(set(studies)))
    return (
        f"{FILTER_COLUMN} IN (SELECT {FILTER_COLUMN} FROM {TRINO_CATALOG}.silver.listener_studies "
        f"WHERE study_id IN ({ids}))"
    )


def studies_of(rule) -> list[str]:
    """The studies a rule was written for (kept as JSON in its description)."""
    try:
        return list(json.loads(rule.description or "{}").get("studies", []))
    except ValueError:
        return []


def lakehouse_datasets():
    """Datasets of the lakehouse database, and those of them with a listener_id column."""
    from superset.connectors.sqla.models import SqlaTable
    from superset.extensions import db
    from superset.models.core import Database

    database = db.session.query(Database).filter_by(database_name=DATABASE_NAME).one_or_none()
    if database is None:
        return [], []
    tables = db.session.query(SqlaTable).filter_by(database_id=database.id).order_by(SqlaTable.id).all()
    with_listener = [t for t in tables if any(c.column_name == FILTER_COLUMN for c in t.columns)]
    return tables, with_listener


def ensure_analyst_role(sm, datasets) -> object:
    """The shared read-only role: Gamma minus the denied permissions, plus access to the datasets."""
    role = sm.find_role(ANALYST_ROLE) or sm.add_role(ANALYST_ROLE)
    gamma = sm.find_role("Gamma")
    wanted = []
    for pv in gamma.permissions if gamma else []:
        perm, view = pv.permission.name, pv.view_menu.name
        if view in DENIED_VIEWS:
            continue
        if perm in DENIED_PERMISSIONS and not (perm == "can_write" and view in ALLOWED_WRITES):
            continue
        wanted.append(pv)
    for table in datasets:
        wanted.append(sm.add_permission_view_menu("datasource_access", table.get_perm()))
    wanted_ids = {pv.id for pv in wanted}
    for pv in list(role.permissions):
        if pv.id not in wanted_ids:
            role.permissions.remove(pv)
    have = {pv.id for pv in role.permissions}
    for pv in wanted:
        if pv.id not in have:
            role.permissions.append(pv)
            have.add(pv.id)
    return role


def apply_rule(sm, username: str, studies: list[str], datasets) -> None:
    """The analyst's personal role and RLS rule, on every dataset with listener_id."""
    from superset.connectors.sqla.models import RowLevelSecurityFilter
    from superset.extensions import db
    from superset.utils.core import RowLevelSecurityFilterType

    personal = sm.find_role(PERSONAL_ROLE_PREFIX + username) or sm.add_role(PERSONAL_ROLE_PREFIX + username)
    name = RLS_PREFIX + username
    rule = db.session.query(RowLevelSecurityFilter).filter_by(name=name).one_or_none()
    if rule is None:
        rule = RowLevelSecurityFilter(name=name)
        db.session.add(rule)
    description = json.dumps({"studies": sorted(set(studies))})
    clause = studies_clause(studies)
    if rule.description != description:
        rule.description = description
    if rule.clause != clause:
        rule.clause = clause
    if rule.filter_type != RowLevelSecurityFilterType.REGULAR:
        rule.filter_type = RowLevelSecurityFilterType.REGULAR
    if [r.id for r in rule.roles] != [personal.id]:
        rule.roles = [personal]
    if sorted(t.id for t in rule.tables) != sorted(t.id for t in datasets):
        rule.tables = list(datasets)
    return personal


def analysts(sm):
    role = sm.find_role(ANALYST_ROLE)
    if role is None:
        return []
    return sorted((u for u in sm.get_all_users() if role in u.roles), key=lambda u: u.username)


def current_studies(username: str) -> list[str]:
    from superset.connectors.sqla.models import RowLevelSecurityFilter
    from superset.extensions import db

    rule = db.session.query(RowLevelSecurityFilter).filter_by(name=RLS_PREFIX + username).one_or_none()
    return studies_of(rule) if rule else []


def sync_analysts() -> int:
    """Re-applies the shared role and every analyst's rule to the current datasets; returns the analysts."""
    from superset import security_manager as sm
    from superset.extensions import db

    _, filtered = lakehouse_datasets()
    ensure_analyst_role(sm, filtered)
    users = analysts(sm)
    for user in users:
        apply_rule(sm, user.username, current_studies(user.username), filtered)
    db.session.commit()
    return len(users)


def add(name: str, studies: list[str]) -> str | None:
    """Creates the analyst (returns the new password) or updates their studies (returns None)."""
    from superset import security_manager as sm
    from superset.extensions import db

    check_name(name)
    for s in studies:
        check_study(s)
    if name == (os.environ.get("SUPERSET_ADMIN_USER") or ""):
        raise UsageError(f"{name!r} is the admin; choose another name for the analyst")
    _, filtered = lakehouse_datasets()
    if not filtered:
        raise RuntimeError(f"no dataset of {DATABASE_NAME!r} with a {FILTER_COLUMN} column: run scripts/superset-bootstrap.sh first")
    shared = ensure_analyst_role(sm, filtered)
    personal = apply_rule(sm, name, studies, filtered)
    user = sm.find_user(username=name)
    if user is not None and any(r.name == "Admin" for r in user.roles):
        raise UsageError(f"{name!r} is an admin account; not turned into an analyst")
    # A new account, a removed (inactive) one, or SUPERSET_USER_PASSWORD given: set a password.
    password = None
    if user is None or not user.active or os.environ.get("SUPERSET_USER_PASSWORD"):
        password = os.environ.get("SUPERSET_USER_PASSWORD") or secrets.token_urlsafe(18)
        try:
            check_password(name, password, "SUPERSET_USER_PASSWORD")
        except WeakPasswordError as err:
            raise UsageError(str(err)) from err
    if user is None:
        user = sm.add_user(name, name, "Analyst", f"{name}@lakehouse.local", [shared, personal], password)
        if not user:
            raise RuntimeError(f"analyst {name!r}: Superset could not create the user")
    else:
        user.roles = [shared, personal]
        user.active = True
        sm.update_user(user)
        if password:
            sm.reset_password(user.id, password)
    db.session.commit()
    return password


def remove(name: str) -> str:
    """Deletes the analyst's rule, roles and account; an account Superset cannot delete (it owns
    objects or log rows) is kept inactive, without roles and with an unknown password."""
    from sqlalchemy.exc import IntegrityError

    from superset import security_manager as sm
    from superset.connectors.sqla.models import RowLevelSecurityFilter
    from superset.extensions import db

    user = sm.find_user(username=name)
    if user is None or not any(r.name == ANALYST_ROLE for r in user.roles):
        raise UsageError(f"{name!r}: no such analyst")
    rule = db.session.query(RowLevelSecurityFilter).filter_by(name=RLS_PREFIX + name).one_or_none()
    if rule is not None:
        db.session.delete(rule)
    user.roles = []
    user.active = False
    sm.update_user(user)
    sm.reset_password(user.id, secrets.token_urlsafe(32))
    personal = sm.find_role(PERSONAL_ROLE_PREFIX + name)
    if personal is not None:
        db.session.delete(personal)
    db.session.commit()
    try:
        db.session.delete(sm.find_user(username=name))
        db.session.commit()
        return "removed"
    except IntegrityError:
        db.session.rollback()
        return "deactivated (Superset keeps rows that refer to the account)"


def list_analysts() -> list[dict]:
    from superset import security_manager as sm

    return [
        {"name": u.username, "studies": current_studies(u.username), "active": bool(u.active)}
        for u in analysts(sm)
    ]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="superset-user.sh", description="Superset analyst accounts restricted to studies")
    sub = parser.add_subparsers(dest="command", required=True)
    p_add = sub.add_parser("add", help="create an analyst, or set the studies of an existing one")
    p_add.add_argument("name")
    p_add.add_argument("--study", action="append", required=True, help="a study the analyst may see (repeatable)")
    sub.add_parser("remove", help="delete an analyst with their role and row filter").add_argument("name")
    sub.add_parser("list", help="analysts and their studies").add_argument("--json", action="store_true")
    sub.add_parser("sync", help="re-apply the role and filters to the current datasets")
    try:
        return parser.parse_args(argv)
    except SystemExit as exit_:
        sys.exit(2 if exit_.code else 0)


def main(argv: list[str]) -> int:
    args = parse(argv)
    # Validate before Superset loads (seconds): a usage error needs no app.
    if args.command in ("add", "remove"):
        check_name(args.name)
    for s in getattr(args, "study", None) or []:
        check_study(s)
    # Superset prints to stdout while loading ("Loaded your LOCAL configuration…"); stdout is for data only.
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        return run(args, out)


def run(args: argparse.Namespace, out) -> int:
    from superset.app import create_app

    with create_app().app_context():
        if args.command == "add":
            password = add(args.name, args.study)
            log(f"analyst {args.name!r}: studies {', '.join(sorted(set(args.study)))}, password {'set' if password else 'kept'}")
            if password and not os.environ.get("SUPERSET_USER_PASSWORD"):
                print(password, file=out, flush=True)
                log("the line above is the analyst's password, shown once; hand it over privately")
        elif args.command == "remove":
            log(f"analyst {args.name!r}: {remove(args.name)}")
        elif args.command == "list":
            rows = list_analysts()
            if args.json:
                print(json.dumps(rows), file=out, flush=True)
            else:
                for r in rows:
                    print(f"{r['name']}\t{','.join(r['studies'])}\t{'active' if r['active'] else 'inactive'}", file=out)
        else:
            log(f"re-synced {sync_analysts()} analyst(s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except UsageError as err:
        log(str(err))
        sys.exit(2)
    except RuntimeError as err:
        log(str(err))
        sys.exit(1)
