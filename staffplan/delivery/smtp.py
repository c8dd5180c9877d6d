"""Delivering the plan: check the request, build the message (delivery.message), then hand it
to the SMTP server (STARTTLS, TLS or plain, with AUTH) or write it as a .eml draft.

Nothing is reported as sent that the server did not accept (exit 5 otherwise).
"""

from __future__ import annotations

import base64
import email.policy
import logging
import smtplib
import socket
import ssl
from pathlib import Path

from staffplan.core.atomic import atomic_path
from staffplan.core.errors import MailError
from staffplan.delivery.message import (
    PLAN_SUFFIX,
    MailInputError,
    build_message,
    clean_text,
    parse_addresses,
    read_plan,
    report_path_for,
    sender_address,
)
from staffplan.delivery.settings import LOOPBACK_HOSTS, MailSettings, load_settings

log = logging.getLogger(__name__)


def deliver(plan_path: Path, to: list[str], cc: list[str] | None = None,
            subject: str | None = None, eml: Path | None = None,
            config: Path | None = None) -> str:
    """Send the plan and its report (or write them as a .eml draft); says what happened.

    Raises MailInputError (exit 2) for a missing file or bad address, MailError (exit 5)
    when the settings are unusable or the server did not accept the message.
    """
    plan_path = Path(plan_path)
    problems: list[str] = []
    report = None
    if not plan_path.name.endswith(PLAN_SUFFIX):
        problems.append(f"{plan_path} is not a plan file: expected a name ending in "
                        f"{PLAN_SUFFIX}, as written by `staffplan plan`")
    elif not plan_path.is_file():
        problems.append(f"plan {plan_path} does not exist")
    else:
        report = report_path_for(plan_path)
        if not report.is_file():
            problems.append(f"report {report} does not exist; `staffplan plan` writes it "
                            "beside the plan")
    if not to:
        problems.append("no recipient: give at least one address with --to")
    to_addr = parse_addresses(to or [], "--to", problems)
    cc_addr = parse_addresses(cc or [], "--cc", problems)
    if eml is not None and not Path(eml).parent.is_dir():
        problems.append(f"--eml {eml}: folder {Path(eml).parent} does not exist")
    if problems:
        raise MailInputError(problems)
    assert report is not None
    settings = load_settings(config)
    if eml is None:
        _check_for_sending(settings)
    sender = sender_address(settings)
    facts = read_plan(plan_path)
    html = report.read_text(encoding="utf-8")
    msg = build_message(plan_path, html, facts, to_addr, cc_addr, subject, sender,
                        draft=eml is not None)
    data = msg.as_bytes(policy=email.policy.SMTP)
    everyone = [a.addr_spec for a in [*to_addr, *cc_addr]]
    if eml is not None:
        if len(data) > settings.max_bytes:
            log.warning("the message is %s, over the sending limit of %s",
                        _mb(len(data)), _mb(settings.max_bytes))
        _write_atomic(Path(eml), data)
        return (f"Wrote the message for {', '.join(everyone)} to {eml} ({_mb(len(data))}); "
                "open it in your mail client to review and send it.")
    if len(data) > settings.max_bytes:
        raise MailError(
            f"Not sent: the message is {_mb(len(data))} (plan attachment "
            f"{_mb(plan_path.stat().st_size)}, report {_mb(len(html.encode()))}), over the "
            f"limit of {_mb(settings.max_bytes)} set by STAFFPLAN_MAIL_MAX_BYTES. Raise the "
            "limit if your mail server takes larger messages, or share the plan another way.")
    assert sender is not None
    recipients = list(dict.fromkeys(everyone))
    accepted = _send(settings, sender.addr_spec, recipients, data)
    where = f"{settings.host}:{settings.effective_port}"
    cc_note = f" (cc {', '.join(a.addr_spec for a in cc_addr)})" if cc_addr else ""
    log.info("message %s accepted for %s by %s", msg["Message-ID"], accepted, where)
    how = {"starttls": "STARTTLS", "ssl": "TLS", "none": "unencrypted"}[settings.security]
    return f"Sent to {', '.join(a.addr_spec for a in to_addr)}{cc_note} via {where} ({how})."


def _check_for_sending(s: MailSettings) -> None:
    problems = []
    if not s.host:
        problems.append("no mail server: set STAFFPLAN_SMTP_HOST (or smtp_host in the config "
                        "file), or write a draft with --eml")
    if not (s.mail_from or (s.user and "@" in s.user)):
        problems.append("no sender: set STAFFPLAN_MAIL_FROM, e.g. 'Planning <plans@example.com>'")
    if s.user and not s.password:
        problems.append(f"STAFFPLAN_SMTP_USER is {s.user!r} but no password is set: set "
                        "STAFFPLAN_SMTP_PASSWORD")
    if s.user and s.security == "none" and s.host not in LOOPBACK_HOSTS:
        problems.append("refusing to send a password unencrypted: STAFFPLAN_SMTP_SECURITY is "
                        "'none'; use 'starttls' or 'ssl'")
    if problems:
        raise MailError("Not sent: the mail settings are incomplete:\n"
                        + "\n".join(f"  - {p}" for p in problems))


def _send(s: MailSettings, sender: str, recipients: list[str], data: bytes) -> list[str]:
    """Hand the message to the server; returns the recipients it accepted, all of them,
    or raises MailError saying address by address what was refused."""
    host, port = s.host or "", s.effective_port
    where = f"{host}:{port}"
    try:
        ctx = ssl.create_default_context(cafile=str(s.cafile) if s.cafile else None)
    except (ssl.SSLError, OSError) as exc:
        raise MailError(f"Not sent: TLS failure: STAFFPLAN_SMTP_CAFILE {s.cafile} holds no usable "
                        f"certificate ({getattr(exc, 'reason', None) or exc}).") from None
    smtp: smtplib.SMTP | None = None
    try:
        log.info("connecting to %s (%s, timeout %gs)", where, s.security, s.timeout)
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=s.timeout, context=ctx)
        else:
            smtp = smtplib.SMTP(host, port, timeout=s.timeout)
        smtp.ehlo()
        if s.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise MailError(f"Not sent: {where} does not offer STARTTLS; set "
                                "STAFFPLAN_SMTP_SECURITY to 'ssl' if it expects TLS from the "
                                "start, or to 'none' for an unencrypted local relay.")
            smtp.starttls(context=ctx)
            smtp.ehlo()
        if s.user:
            _login(smtp, s.user, s.password or "")
        limit = int(smtp.esmtp_features.get("size", "0") or 0) if smtp.has_extn("size") else 0
        if limit and len(data) > limit:
            raise MailError(f"Not sent: the message is {_mb(len(data))} but {where} accepts at "
                            f"most {_mb(limit)}.")
        refused = smtp.sendmail(sender, recipients, data)
    except MailError:
        raise
    except Exception as exc:  # every failure becomes one clear sentence, never a traceback
        raise MailError(_explain(exc, s, where)) from None
    finally:
        if smtp is not None:
            _close(smtp)
    accepted = [r for r in recipients if r not in refused]
    if refused:
        lines = [f"  - refused: {addr} ({_reply(code, msg)})" for addr, (code, msg) in
                 refused.items()]
        lines += [f"  - accepted: {addr}" for addr in accepted]
        raise MailError(f"Partly sent: {where} refused {len(refused)} of {len(recipients)} "
                        "recipients; the message went only to those accepted:\n"
                        + "\n".join(lines))
    return accepted


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib only sends ASCII credentials; RFC 4616 AUTH PLAIN carries UTF-8."""
    if (user + password).isascii() or "plain" not in smtp.esmtp_features.get("auth", "").lower():
        smtp.login(user, password)
        return
    token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
    code, resp = smtp.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, resp)


def _explain(exc: Exception, s: MailSettings, where: str) -> str:
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return f"Not sent: {where} did not answer within {s.timeout:g} s (STAFFPLAN_SMTP_TIMEOUT)."
    if isinstance(exc, ssl.SSLCertVerificationError):
        hint = (f" (trusting {s.cafile})" if s.cafile else
                "; if the server uses a private certificate authority, point "
                "STAFFPLAN_SMTP_CAFILE at its certificate file")
        return (f"Not sent: TLS failure: the certificate of {where} could not be verified: "
                f"{exc.verify_message or exc.reason}{hint}.")
    if isinstance(exc, ssl.SSLError):
        return f"Not sent: TLS failure talking to {where}: {exc.reason or exc}."
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (f"Not sent: {where} refused the login for user {s.user!r} "
                f"({_reply(exc.smtp_code, exc.smtp_error)}); check STAFFPLAN_SMTP_USER and "
                "STAFFPLAN_SMTP_PASSWORD.")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        lines = [f"  - refused: {a} ({_reply(c, m)})" for a, (c, m) in exc.recipients.items()]
        return f"Not sent: {where} refused every recipient:\n" + "\n".join(lines)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (f"Not sent: {where} refused the sender {exc.sender} "
                f"({_reply(exc.smtp_code, exc.smtp_error)}); check STAFFPLAN_MAIL_FROM.")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"Not sent: {where} does not support what was asked: {exc}."
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = _reply(exc.smtp_code, exc.smtp_error)
        return f"Not sent: {where} did not accept the message ({reply})."
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPException)):
        return f"Not sent: the connection to {where} failed: {exc}."
    if isinstance(exc, socket.gaierror):
        return f"Not sent: the mail server name {s.host!r} could not be resolved ({exc.strerror})."
    if isinstance(exc, OSError):
        return (f"Not sent: could not reach the mail server {where}: "
                f"{exc.strerror or exc}. Check STAFFPLAN_SMTP_HOST and STAFFPLAN_SMTP_PORT.")
    return f"Not sent: unexpected failure talking to {where}: {type(exc).__name__}: {exc}"


def _reply(code: int, msg: bytes | str) -> str:
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
    return f"{code} {clean_text(text)}"


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


def _write_atomic(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
