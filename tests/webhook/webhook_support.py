"""The webhook tests' receiver: what it got, and the statuses it answers with."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

SECRET = "s3cret-for-tests"
STORY = (
    "Harbour plan approved\n"
    "The mayor, Jane Doe, said on Monday that the city would dredge the harbour next spring. "
    '"We are ready to pay for all of it," Doe told reporters. '
    "The council's finance committee demanded a full audit before any money is spent, "
    "according to a statement. Opposition leaders denied that the plan had been agreed."
)


@dataclass
class Post:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)

    def signed(self, secret: str = SECRET) -> bool:
        want = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers.get("X-Briefbot-Signature", ""), want)


@dataclass
class Receiver:
    base: str = ""
    statuses: list[int] = field(default_factory=list)  # answered in order, then 200
    posts: list[Post] = field(default_factory=list)

    @property
    def hook_url(self) -> str:
        return f"{self.base}/hooks/abc123"
