"""Bootstraps Superset for the lakehouse: admin user, Trino connection, dashboards, analyst access.

Run with the Superset install's python, SUPERSET_CONFIG_PATH pointing at superset_config.py (the
native scripts/superset-bootstrap.sh and the compose service both do exactly this):

    python superset/bootstrap.py [--assets superset/assets]

Environment: SUPERSET_ADMIN_USER and SUPERSET_ADMIN_PASSWORD (both required, no default; a weak
password is refused, see admin_password.py), TRINO_URL (default http://127.0.0.1:8080). The
connection logs in to Trino as the read-only service user `superset`, with
TRINO_SUPERSET_PASSWORD when TRINO_URL is https (verified against TRINO_CA_FILE when set).

Idempotent: the admin user is only written when it is missing or differs, and the bundle under
superset/assets/ is zipped and imported with overwrite, keyed by the assets' uuids, with the
database's sqlalchemy_uri replaced by the one built from TRINO_URL. Then the analysts' role and
row-level-security rules are re-applied to the imported datasets (users.py sync), so a dataset added
since is filtered too. Running it twice leaves the same objects, ids and exported YAML.
"""

import argparse
import io
import json
import os
import re
import ssl
import sys
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import quote, urlparse

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from admin_password import WeakPasswordError, admin_from_env  # noqa: E402

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
BUNDLE_ROOT = "lakehouse_assets"
TRINO_CATALOG = "lakehouse"
# The read-only Trino user the connection uses (reads silver, gold and ops; never writes).
SERVICE_USER = "superset"


class BootstrapError(RuntimeError):
    """Raised when the environment or the asset bundle does not allow a bootstrap."""


def log(message: str) -> None:
    print(f"superset bootstrap: {message}", file=sys.stderr)


def trino_sqlalchemy_uri(trino_url: str, trino_user: str, password: str | None = None) -> str:
    """The connection URI; the password (https only: the driver sends none over http) URL-encoded."""
    url = urlparse(trino_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise BootstrapError(f"TRINO_URL: expected http(s)://host:port, got {trino_url!r}")
    port = url.port or (443 if url.scheme == "https" else 8080)
    if url.scheme == "https" and not password:
        raise BootstrapError(
            "TRINO_SUPERSET_PASSWORD: not set; Trino at an https TRINO_URL needs the password of its "
            f"{trino_user!r} user (natively: $TRINO_SECURITY_DIR/superset.password)"
        )
    credentials = f"{quote(trino_user, safe='')}:{quote(password, safe='')}" if url.scheme == "https" else quote(trino_user, safe="")
    return f"trino://{credentials}@{url.hostname}:{port}/{TRINO_CATALOG}"


def connection_extra(extra: dict | None, trino_url: str, ca_file: str | None) -> dict:
    """The database's `extra` with the driver's https settings (the trino driver picks http on ports other than 443)."""
    out = dict(extra or {})
    if urlparse(trino_url).scheme == "https":
        connect_args: dict = {"http_scheme": "https"}
        if ca_file:
            connect_args["verify"] = ca_file
        out["engine_params"] = {"connect_args": connect_args}
    return out


def ssl_context(ca_file: str | None):
    return ssl.create_default_context(cafile=ca_file) if ca_file else None


def check_trino(trino_url: str, ca_file: str | None = None) -> None:
    """Superset asks Trino for its catalogs while importing the connection: fail fast and clearly."""
    info_url = trino_url.rstrip("/") + "/v1/info"
    try:
        with urllib.request.urlopen(info_url, timeout=5, context=ssl_context(ca_file)) as response:
            info = json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as err:
        raise BootstrapError(
            f"Trino at {trino_url}: not reachable ({err}); start it first (scripts/trino-start.sh)"
        ) from err
    if info.get("starting"):
        raise BootstrapError(f"Trino at {trino_url}: still starting; retry when it is up")


def build_bundle(assets_dir: Path, sqlalchemy_uri: str, extra=lambda e: e) -> bytes:
    """Zips the YAML folder the way Superset's own export lays it out, patching the Trino connection."""
    files = sorted(p for p in assets_dir.rglob("*.yaml") if p.is_file())
    if not any(p.name == "metadata.yaml" and p.parent == assets_dir for p in files):
        raise BootstrapError(f"{assets_dir}: no metadata.yaml, not a Superset export bundle")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in files:
            rel = path.relative_to(assets_dir).as_posix()
            text = path.read_text(encoding="utf-8")
            if rel.startswith("databases/"):
                config = yaml.safe_load(text)
                config["sqlalchemy_uri"] = sqlalchemy_uri
                config["extra"] = extra(config.get("extra"))
                text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
            bundle.writestr(f"{BUNDLE_ROOT}/{rel}", text)
    return buffer.getvalue()


def ensure_admin(security_manager, username: str, password: str):
    from werkzeug.security import check_password_hash

    admin_role = security_manager.find_role("Admin")
    user = security_manager.find_user(username=username)
    if user is None:
        user = security_manager.add_user(
            username, "Lakehouse", "Admin", f"{username}@lakehouse.local", admin_role, password
        )
        if not user:
            raise BootstrapError(f"admin user {username!r}: could not be created")
        log(f"created admin user {username!r}")
        return user
    changed = False
    if admin_role not in user.roles:
        user.roles.append(admin_role)
        changed = True
    if not user.active:
        user.active = True
        changed = True
    if changed:
        security_manager.update_user(user)
    if not check_password_hash(user.password, password):
        security_manager.reset_password(user.id, password)
        changed = True
    log(f"admin user {username!r} {'updated' if changed else 'unchanged'}")
    return user


def import_assets(bundle_bytes: bytes, user) -> dict[str, int]:
    from superset.commands.importers.v1.assets import ImportAssetsCommand
    from superset.commands.importers.v1.utils import get_contents_from_bundle
    from superset.utils.core import override_user

    with zipfile.ZipFile(io.BytesIO(bundle_bytes)) as bundle:
        contents = get_contents_from_bundle(bundle)
    with override_user(user):
        ImportAssetsCommand(contents).run()
    counts: dict[str, int] = {}
    for name in contents:
        kind = name.split("/", 1)[0] if "/" in name else "metadata"
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=Path, default=ASSETS_DIR)
    parser.add_argument("--zip-out", type=Path, help="also write the zipped bundle here")
    args = parser.parse_args(argv)

    try:
        username, password = admin_from_env()
    except WeakPasswordError as err:
        raise BootstrapError(str(err)) from err
    trino_url = os.environ.get("TRINO_URL") or "http://127.0.0.1:8080"
    ca_file = os.environ.get("TRINO_CA_FILE") or None
    trino_user = SERVICE_USER
    uri = trino_sqlalchemy_uri(trino_url, trino_user, os.environ.get("TRINO_SUPERSET_PASSWORD"))
    check_trino(trino_url, ca_file)
    bundle = build_bundle(args.assets, uri, lambda e: connection_extra(e, trino_url, ca_file))
    if args.zip_out:
        args.zip_out.write_bytes(bundle)

    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import security_manager

        user = ensure_admin(security_manager, username, password)
        counts = import_assets(bundle, user)
        from users import sync_analysts

        analysts = sync_analysts()
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    shown = re.sub(r"^(trino://[^:/@]+:)[^@]*@", r"\1***@", uri)
    log(f"imported bundle ({summary}) with database uri {shown}; {analysts} analyst(s) re-synced")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BootstrapError as err:
        log(str(err))
        sys.exit(1)
