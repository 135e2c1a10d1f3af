"""The one module that talks to Apprise: routing from a YAML file of tagged URLs, delivery, config checks.

Apprise never raises: `notify()` answers False when a target is down (None when no target matched),
`add()` answers False for a malformed URL. A message counts as delivered only on a True answer,
per target, so a retry after a partial failure does not repeat what already went out.
"""

import hashlib
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import apprise
import yaml

TAG_KINDS = ("user", "role", "programme", "lead")
TAG = re.compile(r"^(?P<kind>[a-z]+):(?P<value>\S+)$")


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


class Notifier:
    """Sends messages to the URLs whose tags include all of a message's tags."""

    def __init__(self, config_text: str | None, *, source: str = "notify.yml", app_url: str = "") -> None:
        self.source = source
        self._asset = apprise.AppriseAsset(app_id="Passage", app_desc="Passage notifications", app_url=app_url)
        self._apprise = apprise.Apprise(asset=self._asset)
        if config_text:
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

    def deliver(
        self, *, tags: list[str], title: str, body: str, done: list[str] | None = None, any_of: bool = False
    ) -> Delivery:
        """Send to every target of `tags` not in `done`; ok only when each of them answered True."""
        servers = self.targets(tags, any_of=any_of)
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
                errors.append(f"{server.url(privacy=True)}: {reason}")
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
    urls = keys.get("urls")
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
