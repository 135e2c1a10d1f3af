"""The one module that talks to Apprise: routing from a YAML file of tagged URLs, delivery, config checks.

Apprise never raises: `notify()` answers False when a target is down (None when no target matched),
`add()` answers False for a malformed URL. A message counts as delivered only on a True answer,
per target, so a retry after a partial failure does not repeat what already went out.

Beside Apprise's `urls:`, the file may name one SMTP server (`mail:`, a mailto:// or mailtos:// URL
without recipients): a person no URL is tagged for is then mailed at their own address through it.
An address is personal data: Apprise's log records and the errors kept here show it as [e-mail].
"""

import hashlib
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import apprise
import yaml

TAG_KINDS = ("user", "role", "programme", "lead")
TAG = re.compile(r"^(?P<kind>[a-z]+):(?P<value>\S+)$")
MAIL_SCHEMES = ("mailto", "mailtos")
RECIPIENT_KEYS = ("to", "cc", "bcc")  # a `mail:` URL naming one would copy every person's mail to it
# An address as Apprise writes it in a log line or a URL (where @ is %40).
ADDRESS = re.compile(r"[\w.%+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")


def redact(text: str) -> str:
    """`text` with every e-mail address replaced by [e-mail]."""
    return ADDRESS.sub("[e-mail]", text)


class _Redact(logging.Filter):
    """Apprise logs each recipient ("Sent Email to ..."): its records reach handlers without the address."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if ADDRESS.search(text):
            record.msg, record.args = redact(text), None
        return True


logging.getLogger("apprise").addFilter(_Redact())


@dataclass(frozen=True)
class Delivery:
    """What one attempt did: every target reached (ok), the targets that took it, why the rest did not."""

    ok: bool
    delivered: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class Fault:
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.line}: {'warning: ' if self.warning else ''}{self.message}"


def _target_id(server: Any) -> str:
    """A stable id of one configured URL (its full form, secrets included, never shown)."""
    return hashlib.sha1(str(server.url(privacy=False)).encode()).hexdigest()[:12]


def _top_level(config_text: str | None) -> dict[str, Any]:
    """The top-level keys of a routing file (none when it is not a YAML mapping)."""
    try:
        root = yaml.safe_load(config_text or "")
    except yaml.YAMLError:
        return {}
    return root if isinstance(root, dict) else {}


def _mail(top: dict[str, Any]) -> str | None:
    """The `mail:` URL of a routing file, if it has one."""
    value = top.get("mail")
    return value if isinstance(value, str) and value.strip() else None


def mail_to(mail_url: str, address: str) -> str:
    """The `mail:` URL with one recipient added (a query parameter, so `?from=` and the rest stay)."""
    parts = urlsplit(mail_url.strip())
    query = [*parse_qsl(parts.query, keep_blank_values=True), ("to", address)]
    return urlunsplit(parts._replace(query=urlencode(query)))


class Notifier:
    """Sends messages to the URLs whose tags include all of a message's tags, else to a person's own address."""

    def __init__(self, config_text: str | None, *, source: str = "notify.yml", app_url: str = "") -> None:
        self.source = source
        self._asset = apprise.AppriseAsset(app_id="Passage", app_desc="Passage notifications", app_url=app_url)
        self._apprise = apprise.Apprise(asset=self._asset)
        top = _top_level(config_text)
        self.mail = _mail(top)
        if config_text and not (self.mail and "urls" not in top):  # Apprise warns of a file without URLs
            config = apprise.AppriseConfig(asset=self._asset)
            config.add_config(config_text, format="yaml")
            self._apprise.add(config)

    @classmethod
    def from_file(cls, path: Path, *, app_url: str = "") -> "Notifier":
        """The routing in `path`; a missing file routes nothing (every message waits and says why)."""
        text = path.read_text(encoding="utf-8") if path.is_file() else None
        return cls(text, source=str(path), app_url=app_url)

    def targets(self, tags: list[str], *, any_of: bool = False) -> list[Any]:
        """The configured URLs carrying every one of `tags` (with `any_of`, at least one of them)."""
        wanted: list[Any] = list(tags) if any_of else [tuple(tags)]
        return list(self._apprise.find(wanted, match_always=False))

    def has_route(self, tags: list[str], *, any_of: bool = False) -> bool:
        return bool(self.targets(tags, any_of=any_of))

    def _mailbox(self, address: str) -> list[Any]:
        """The `mail:` server sending to `address` alone (none without a `mail:` setting)."""
        server = apprise.Apprise.instantiate(mail_to(self.mail, address), asset=self._asset) if self.mail else None
        return [server] if server else []

    def deliver(
        self,
        *,
        tags: list[str],
        title: str,
        body: str,
        done: list[str] | None = None,
        any_of: bool = False,
        email: str | None = None,
    ) -> Delivery:
        """Send to every target of `tags` not in `done`; ok only when each of them answered True.

        `email` is the person's own address: used (through the `mail:` server) only when no URL carries the
        tags, so an entry for a person in the file replaces their e-mail.
        """
        servers = self.targets(tags, any_of=any_of) or (self._mailbox(email) if email else [])
        if not servers:
            return Delivery(ok=False, error=f"no URL in {self.source} is tagged {' + '.join(tags)}")
        delivered, errors = list(done or []), []
        for server in servers:
            target = _target_id(server)
            if target in delivered:
                continue
            one = apprise.Apprise(asset=self._asset)
            one.add(server)
            with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:  # type: ignore[no-untyped-call]
                try:
                    sent = one.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
                except Exception as exc:
                    sent = False
                    logging.getLogger("apprise").warning("%s: %s", type(exc).__name__, exc)
                reason = " ".join(captured.getvalue().split()) or "no reason given"
            if sent is True:
                delivered.append(target)
            else:
                errors.append(redact(f"{server.url(privacy=True)}: {reason}"))
        failed = "; ".join(errors)[:1000] or None
        return Delivery(ok=not errors, delivered=delivered, error=failed)


@lru_cache(maxsize=4)
def _routing(path: Path, _modified_ns: int) -> Notifier:
    return Notifier.from_file(path)


def routing(path: Path) -> Notifier:
    """The routing file as it is now, read again only when it changed (gates consult it for channels)."""
    return _routing(path, path.stat().st_mtime_ns if path.is_file() else 0)


def url_accepted(url: str) -> bool:
    """True when Apprise can build a notifier from `url` (add() answers False for a malformed one)."""
    return bool(apprise.Apprise().add(url))


def _entry_loads(entry: Any) -> bool:
    """True when Apprise builds at least one notifier from this one `urls:` entry (with its tokens)."""
    config = apprise.AppriseConfig()
    config.add_config(yaml.safe_dump({"version": 1, "urls": [entry]}), format="yaml")
    return len(config.servers()) > 0


def _split_tags(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [tag for item in items if item is not None for tag in re.split(r"[\s,]+", str(item)) if tag]


@dataclass(frozen=True)
class Known:
    """What a tag may name: the roles (with dashes), the programme slugs and, when known, the usernames."""

    roles: frozenset[str]
    programmes: frozenset[str]
    users: frozenset[str] | None = None

    def fault(self, tag: str) -> str | None:
        match = TAG.match(tag)
        if match is None or match["kind"] not in TAG_KINDS:
            return f"unknown tag '{tag}' (use {', '.join(k + ':…' for k in TAG_KINDS)})"
        kind, value = match["kind"], match["value"]
        if kind == "role" and value not in self.roles:
            return f"unknown role in '{tag}' (known: {', '.join(sorted(self.roles))})"
        if kind in ("programme", "lead") and value not in self.programmes:
            return f"unknown programme in '{tag}' (known: {', '.join(sorted(self.programmes))})"
        if kind == "user" and self.users is not None and value not in self.users:
            return f"unknown user in '{tag}'"
        return None


def _entry_tags(node: yaml.Node) -> list[tuple[int, str]]:
    """(line, tag) of one `urls:` entry: a `tag:`/`tags:` key beside the URL or under it."""
    found: list[tuple[int, str]] = []
    if not isinstance(node, yaml.MappingNode):
        return found
    for key, value in node.value:
        if key.value in ("tag", "tags"):
            found += [(value.start_mark.line + 1, t) for t in _split_tags(yaml.safe_load(yaml.serialize(value)))]
        elif isinstance(value, yaml.MappingNode):
            found += _entry_tags(value)
        elif isinstance(value, yaml.SequenceNode):
            for item in value.value:
                found += _entry_tags(item)
    return found


def _mail_fault(node: yaml.Node) -> str | None:
    """What is wrong with a `mail:` setting: one mailto(s):// URL Apprise accepts, naming no recipient."""
    value = yaml.safe_load(yaml.serialize(node))
    if not isinstance(value, str) or urlsplit(value.strip()).scheme not in MAIL_SCHEMES:
        return "`mail:` must be one mailto:// or mailtos:// URL (the SMTP server every person is mailed through)"
    named = {key for key, _ in parse_qsl(urlsplit(value.strip()).query)} & set(RECIPIENT_KEYS)
    probe = "someone@example.org"
    server = apprise.Apprise.instantiate(mail_to(value, probe))
    if server is None:
        return "malformed `mail:` URL (Apprise cannot build a notifier from it)"
    if named or list(getattr(server, "targets", [])) != [(False, probe)]:
        return "`mail:` names no recipient (to=, cc=, bcc= or an address in the path): each person's is added"
    return None


def check_config(text: str, known: Known) -> list[Fault]:
    """Every fault of an Apprise YAML routing file, with its line: syntax, malformed URLs, unknown tags."""
    try:
        root = yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        return [Fault(line, f"not valid YAML: {exc.problem}")]
    if not isinstance(root, yaml.MappingNode):
        return [Fault(1, "expected a mapping with `version: 1` and `urls:`")]
    keys = {key.value: (key, value) for key, value in root.value}
    faults: list[Fault] = []
    if "version" in keys and yaml.safe_load(yaml.serialize(keys["version"][1])) != 1:
        faults.append(Fault(keys["version"][1].start_mark.line + 1, "only `version: 1` is understood"))
    global_tags = [
        (value.start_mark.line + 1, tag)
        for key, (_key, value) in keys.items()
        if key in ("tag", "tags")
        for tag in _split_tags(yaml.safe_load(yaml.serialize(value)))
    ]
    faults += [Fault(line, problem) for line, tag in global_tags if (problem := known.fault(tag))]
    if "mail" in keys and (problem := _mail_fault(keys["mail"][1])):
        faults.append(Fault(keys["mail"][1].start_mark.line + 1, problem))
    urls = keys.get("urls")
    if urls is None and "mail" in keys:
        return faults  # e-mail for everyone, nothing else
    if urls is None or not isinstance(urls[1], yaml.SequenceNode):
        return [*faults, Fault(urls[0].start_mark.line + 1 if urls else 1, "`urls:` must be a list of URLs")]
    for entry in urls[1].value:
        line = entry.start_mark.line + 1
        if not _entry_loads(yaml.safe_load(yaml.serialize(entry))):
            faults.append(Fault(line, "malformed or unsupported URL (Apprise cannot build a notifier from it)"))
        tags = _entry_tags(entry)
        faults += [Fault(tag_line, problem) for tag_line, tag in tags if (problem := known.fault(tag))]
        if not tags and not global_tags:
            faults.append(Fault(line, "URL without a tag: Passage never sends to it"))
    return faults
