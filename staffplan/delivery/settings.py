"""Mail settings: environment variables over an optional TOML file.

Schedulers set the environment; people who send by hand may prefer a file.
The environment always wins so a scheduler can override a shared file.
The password is never accepted from the command line.
"""

from __future__ import annotations

import logging
import math
import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from staffplan.core.errors import MailError

log = logging.getLogger(__name__)

SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT_S = 30.0
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")

# config-file key -> environment variable; the key is the variable without its prefix.
KEYS = {
    "smtp_host": "STAFFPLAN_SMTP_HOST",
    "smtp_port": "STAFFPLAN_SMTP_PORT",
    "smtp_security": "STAFFPLAN_SMTP_SECURITY",
    "smtp_user": "STAFFPLAN_SMTP_USER",
    "smtp_password": "STAFFPLAN_SMTP_PASSWORD",
    "smtp_cafile": "STAFFPLAN_SMTP_CAFILE",
    "smtp_timeout": "STAFFPLAN_SMTP_TIMEOUT",
    "mail_from": "STAFFPLAN_MAIL_FROM",
    "mail_max_bytes": "STAFFPLAN_MAIL_MAX_BYTES",
}
CONFIG_ENV = "STAFFPLAN_MAIL_CONFIG"


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send; `password` is kept out of repr so it never reaches a log."""

    host: str | None = None
    port: int | None = None
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: Path | None = None
    timeout: float = DEFAULT_TIMEOUT_S
    mail_from: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


def default_config_paths() -> list[Path]:
    """Looked at in order when no file is named; the first that exists is used."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return [Path("staffplan-mail.toml"), Path(base) / "staffplan" / "mail.toml"]


def load_settings(config: Path | None = None,
                  env: Mapping[str, str] | None = None) -> MailSettings:
    """Merge the config file (named, from STAFFPLAN_MAIL_CONFIG, or a default place) and the
    environment; raises MailError listing every bad setting at once."""
    env = os.environ if env is None else env
    named = config or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
    path = named if named is not None else next(
        (p for p in default_config_paths() if p.is_file()), None)
    raw: dict[str, object] = {}
    problems: list[str] = []
    origin: dict[str, str] = {}
    if path is not None:
        raw = _read_file(path, must_exist=named is not None, problems=problems)
        origin = {k: f"{path}: {k}" for k in raw}
    for key, var in KEYS.items():
        if env.get(var, "").strip():
            raw[key] = env[var].strip() if key != "smtp_password" else env[var]
            origin[key] = var
    settings = _parse(raw, origin, problems)
    if problems:
        raise MailError("Mail settings are not usable:\n" + "\n".join(f"  - {p}" for p in problems))
    log.info("mail settings from %s: %r",
             f"{path} and the environment" if path is not None else "the environment", settings)
    return settings


def _read_file(path: Path, must_exist: bool, problems: list[str]) -> dict[str, object]:
    if not path.is_file():
        if must_exist:
            problems.append(f"config file {path} does not exist")
        return {}
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"config file {path} could not be read as TOML: {exc}")
        return {}
    data = data.get("mail", data) if isinstance(data.get("mail"), dict) else data
    out: dict[str, object] = {}
    for key, value in data.items():
        if key not in KEYS:
            problems.append(f"{path}: unknown setting {key!r}; expected one of "
                            + ", ".join(KEYS))
        elif key == "smtp_password" and _readable_by_others(path):
            problems.append(f"{path} holds smtp_password but other users can read it; "
                            f"restrict it (chmod 600 {path}) or use STAFFPLAN_SMTP_PASSWORD")
        else:
            out[key] = value
    return out


def _readable_by_others(path: Path) -> bool:
    if os.name != "posix":
        return False
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def _parse(raw: dict[str, object], origin: dict[str, str], problems: list[str]) -> MailSettings:
    def text(key: str) -> str | None:
        v = raw.get(key)
        if v is None:
            return None
        if not isinstance(v, str):
            problems.append(f"{origin[key]} = {v!r}: expected text")
            return None
        return v if key == "smtp_password" else (v.strip() or None)

    def number(key: str, kind: type, low: float) -> float | int | None:
        v = raw.get(key)
        if v is None:
            return None
        try:
            n = kind(v)
            if (isinstance(v, bool) or not math.isfinite(n) or n < low
                    or (kind is int and isinstance(v, float) and n != v)):
                raise ValueError
        except (TypeError, ValueError):
            what = "a whole number" if kind is int else "a number"
            problems.append(f"{origin[key]} = {v!r}: expected {what} of at least {low:g}")
            return None
        return n

    security = (text("smtp_security") or "starttls").lower()
    if security not in SECURITY_MODES:
        problems.append(f"{origin['smtp_security']} = {security!r}: expected one of "
                        + ", ".join(SECURITY_MODES))
        security = "starttls"
    port = number("smtp_port", int, 1)
    if port is not None and port > 65535:
        problems.append(f"{origin['smtp_port']} = {port}: expected a port number 1..65535")
        port = None
    cafile = text("smtp_cafile")
    if cafile is not None and not Path(cafile).expanduser().is_file():
        problems.append(f"{origin['smtp_cafile']} = {cafile!r}: no such certificate file")
    return MailSettings(
        host=text("smtp_host"),
        port=port,
        security=security,
        user=text("smtp_user"),
        password=text("smtp_password"),
        cafile=Path(cafile).expanduser() if cafile else None,
        timeout=float(number("smtp_timeout", float, 0.1) or DEFAULT_TIMEOUT_S),
        mail_from=text("mail_from"),
        max_bytes=int(number("mail_max_bytes", int, 1) or DEFAULT_MAX_BYTES),
    )
