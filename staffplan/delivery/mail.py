"""Delivery: the plan and its report as one email, sent over SMTP or written as a .eml draft.

The message is multipart/mixed: a multipart/alternative (plain text with the
headline, totals and top risks; the HTML report with its charts as inline
`cid:` images in a multipart/related), then the plan workbook attached
byte for byte. Facts come from the plan's machine-readable sheets
(spec/workbook.md), never from the sheets written for people.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email.policy
import logging
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

import openpyxl

from staffplan import __version__
from staffplan.core.atomic import atomic_path
from staffplan.core.errors import MailError, StaffplanError
from staffplan.delivery.settings import LOOPBACK_HOSTS, MailSettings, load_settings
from staffplan.reports.tables import fmt_money

log = logging.getLogger(__name__)

PLAN_SUFFIX = "-plan.xlsx"
REPORT_SUFFIX = "-report.html"
XLSX_SUBTYPE = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_DISPLAY_NAME = "Staffplan"
TOP_RISKS = 5
_ADDR = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")
_DATA_IMG = re.compile(
    r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])data:image/(png|jpeg|gif);base64,([A-Za-z0-9+/=\s]*)\2""",
    re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class MailInputError(StaffplanError):
    """The plan, report or addresses given to `send` are unusable; nothing was sent (exit 2)."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        n = len(problems)
        super().__init__(f"Cannot send the plan ({n} problem{'s' if n != 1 else ''}):\n"
                         + "\n".join(f"  - {p}" for p in problems))


# --------------------------------------------------------------------------- the plan's facts

@dataclass
class Risk:
    country: str
    role_id: str
    fte_months: float
    first: str
    last: str
    peak: float


@dataclass
class PlanFacts:
    summary: dict[str, object]
    cost_by_year: list[tuple[str, float]]
    cost_by_kind: list[tuple[str, float]]
    hires_by_country: list[tuple[str, float]]
    risks: list[Risk]

    def get(self, key: str, default: object = "") -> object:
        v = self.summary.get(key)
        return default if v is None else v


def read_plan(path: Path) -> PlanFacts:
    """The figures the email quotes, from the Summary, Hires, Headcount and Costs sheets."""
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise MailInputError([f"{path} is not a readable Excel workbook ({exc})"]) from None
    try:
        sheets = {ws.title.strip().lower(): ws for ws in wb.worksheets}
        missing = [n for n in ("Summary", "Hires", "Headcount", "Costs") if n.lower() not in sheets]
        if missing:
            raise MailInputError([f"{path} is not a staffplan plan: sheet(s) "
                                  f"{', '.join(missing)} missing (run `staffplan plan` first)"])
        summary = {str(r.get("key", "")).strip().lower(): r.get("value")
                   for r in _rows(sheets["summary"])}
        hires, head, costs = (_rows(sheets[n]) for n in ("hires", "headcount", "costs"))
    finally:
        wb.close()
    by_year: dict[str, float] = {}
    by_kind: dict[str, float] = {}
    for r in costs:
        by_year[str(r.get("year"))] = by_year.get(str(r.get("year")), 0.0) + _num(r.get("total"))
        for kind in ("salaries", "contractors", "hiring", "moves", "separations"):
            by_kind[kind] = by_kind.get(kind, 0.0) + _num(r.get(kind))
    by_country: dict[str, float] = {}
    for r in hires:
        c = str(r.get("country"))
        by_country[c] = by_country.get(c, 0.0) + _num(r.get("hires"))
    return PlanFacts(summary, sorted(by_year.items()), list(by_kind.items()),
                     sorted(by_country.items(), key=lambda kv: -kv[1]), _top_risks(head))


def _rows(ws) -> list[dict[str, object]]:
    it = ws.iter_rows(values_only=True)
    header = [str(h).strip().lower() if h is not None else "" for h in next(it, ())]
    return [dict(zip(header, row)) for row in it if any(v is not None for v in row)]


def _num(v: object) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def _gap_text(v: object) -> str:
    """The Summary's mip_gap is a number, or `unknown` when the solver gave no bound."""
    return f"{v:.2%}" if isinstance(v, (int, float)) and v == v else "unknown"


def _month(v: object) -> str:
    return v.strftime("%Y-%m") if isinstance(v, (dt.date, dt.datetime)) else str(v)


def _top_risks(head: list[dict[str, object]]) -> list[Risk]:
    risks: dict[tuple[str, str], Risk] = {}
    for r in head:
        u = _num(r.get("unmet"))
        if u <= 1e-6:
            continue
        key = (str(r.get("country")), str(r.get("role_id")))
        m = _month(r.get("month"))
        risk = risks.setdefault(key, Risk(*key, 0.0, m, m, 0.0))
        risk.fte_months += u
        risk.first, risk.last = min(risk.first, m), max(risk.last, m)
        risk.peak = max(risk.peak, u)
    return sorted(risks.values(), key=lambda x: -x.fte_months)[:TOP_RISKS]


# --------------------------------------------------------------------------- words and numbers

def _count(v: float) -> str:
    return f"{round(v):,}" if abs(v - round(v)) < 0.05 else f"{v:,.1f}"


def _money(v: float, cur: str) -> str:
    """As the attached plan shows it (Excel's rounding), so the figures agree."""
    return fmt_money(v, cur).strip()


def _compact(v: float, cur: str) -> str:
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"{cur} {v / size:,.{1 if unit != 'k' else 0}f}{unit}".strip()
    return _money(v, cur)


def _clean(text: object) -> str:
    """User text made safe for a header: no line breaks or control characters."""
    return _CONTROL.sub(" ", str(text)).strip()


def default_subject(f: PlanFacts) -> str:
    cur = _clean(f.get("currency"))
    return _clean(f"Hiring plan: {f.get('plan_name')} - {_count(_num(f.get('total_hires')))} "
                  f"hires, {_compact(_num(f.get('total_cost')), cur)} ({f.get('status')})")


def plain_text(f: PlanFacts) -> str:
    """Headline, totals and top risks for mail clients that show no HTML."""
    cur = _clean(f.get("currency"))
    hires, cost = _num(f.get("total_hires")), _num(f.get("total_cost"))
    unmet = _num(f.get("unmet_fte_months"))
    where = ", ".join(f"{c} {_count(n)}" for c, n in f.hires_by_country if n > 1e-6)
    lines = [
        f"Hiring plan: {_clean(f.get('plan_name'))}",
        f"{_count(hires)} hires, {_money(cost, cur)} over {f.get('horizon_months', '?')} months "
        f"from {f.get('horizon_start', '?')}.",
        f"Status: {f.get('status')} ({f.get('mode')} mode)"
        + (f", gap {_gap_text(f.get('mip_gap'))}" if f.get("mode") == "integer" else ""),
        "",
        "Totals",
        f"  Total cost:    {_money(cost, cur)}",
        f"  Hires:         {_count(hires)}" + (f" ({where})" if where else ""),
        f"  Unmet demand:  {unmet:,.1f} FTE-months",
    ]
    if f.cost_by_year:
        lines += ["", f"Cost by year ({cur})"]
        lines += [f"  {y}: {v:,.0f}" for y, v in f.cost_by_year]
    if f.cost_by_kind:
        lines += ["", f"Cost by kind ({cur})"]
        lines += [f"  {k}: {v:,.0f}" for k, v in f.cost_by_kind]
    lines += ["", "Top risks (demand left unmet)"]
    lines += [f"  - {_clean(r.country)} {_clean(r.role_id)}: {r.fte_months:,.1f} FTE-months "
              f"unmet, {r.first} to {r.last} (peak {r.peak:,.1f} FTE)" for r in f.risks] or [
        "  None: every requirement is covered in every month."]
    lines += ["", "The full report is in the HTML part of this email; the plan workbook is "
              "attached.", f"-- staffplan {__version__}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the message

def report_path_for(plan_path: Path) -> Path:
    return plan_path.with_name(plan_path.name[: -len(PLAN_SUFFIX)] + REPORT_SUFFIX)


def parse_addresses(items: list[str], flag: str, problems: list[str]) -> list[Address]:
    out = []
    for item in items:
        name, addr = parseaddr(item)
        if not _ADDR.match(addr or "") or "\n" in item or "\r" in item:
            problems.append(f"{flag} {item!r} is not an email address (expected name@example.com)")
        else:
            out.append(Address(display_name=_clean(name), addr_spec=addr))
    return out


def inline_images(html: str, domain: str) -> tuple[str, list[tuple[bytes, str, str]]]:
    """Swap each data: image for a cid: reference; identical images share one part."""
    parts: dict[bytes, tuple[str, str]] = {}

    def swap(m: re.Match) -> str:
        try:
            data = base64.b64decode(re.sub(r"\s+", "", m.group(4)), validate=True)
        except binascii.Error:
            raise MailInputError(["the report holds an embedded image that is not valid "
                                  "base64; write it again with `staffplan plan`"]) from None
        if data not in parts:
            parts[data] = (m.group(3).lower(), make_msgid("chart", domain=domain)[1:-1])
        return f"{m.group(1)}{m.group(2)}cid:{parts[data][1]}{m.group(2)}"

    html = _DATA_IMG.sub(swap, html)
    return html, [(data, sub, cid) for data, (sub, cid) in parts.items()]


def build_message(plan_path: Path, html: str, facts: PlanFacts, to: list[Address],
                  cc: list[Address], subject: str | None, sender: Address | None,
                  draft: bool = False) -> EmailMessage:
    domain = sender.domain if sender else "staffplan.invalid"
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = _clean(subject) if subject else default_subject(facts)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid("staffplan", domain=domain)
    msg["X-Mailer"] = f"staffplan {__version__}"
    if draft:
        msg["X-Unsent"] = "1"  # Outlook and others open the file as a draft to send
    msg.set_content(plain_text(facts))
    html, images = inline_images(html, domain)
    msg.add_alternative(html, subtype="html")
    html_part = msg.get_payload()[1]
    for i, (data, sub, cid) in enumerate(images, 1):
        html_part.add_related(data, maintype="image", subtype=sub, cid=f"<{cid}>",
                              disposition="inline", filename=f"chart{i}.{sub}")
    msg.add_attachment(plan_path.read_bytes(), maintype="application", subtype=XLSX_SUBTYPE,
                       filename=plan_path.name)
    return msg


def _sender(settings: MailSettings) -> Address | None:
    raw = settings.mail_from or (settings.user if settings.user and "@" in settings.user else "")
    if not raw:
        return None
    name, addr = parseaddr(raw)
    if not _ADDR.match(addr or ""):
        raise MailError(f"STAFFPLAN_MAIL_FROM {raw!r} is not an email address "
                        "(expected name@example.com or 'Name <name@example.com>')")
    return Address(display_name=_clean(name) or DEFAULT_DISPLAY_NAME, addr_spec=addr)


# --------------------------------------------------------------------------- delivery

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
    sender = _sender(settings)
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
    return f"{code} {_clean(text)}"


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
