"""Captured INTERACTION_CREATE payloads (``payloads/*.json``) and feeding them to a bot's gateway parser."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"
GUILD_ID = "1160000000000000001"
CHANNEL_ID = "1160000000000000002"
MEMBER_PERMISSIONS = "2248473465835073"  # a member without Manage Channels
MANAGER_PERMISSIONS = "2248473465835089"  # the same plus Manage Channels (1 << 4)
_ids = itertools.count(1183000000000000000)


def interaction(name: str, *, options: list[dict[str, Any]] | None = None, **changes: Any) -> dict[str, Any]:
    """A captured INTERACTION_CREATE payload, with a fresh id and token and the given changes."""
    data = copy.deepcopy(json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8")))
    data["id"] = str(next(_ids))
    data["token"] = f"loopback-token-{data['id']}"
    if options is not None:
        data["data"]["options"] = options
    data.update(changes)
    return data


async def dispatch(bot: Any, payload: dict[str, Any]) -> None:
    """Feed the payload through discord.py's gateway event parser and wait for the command to finish."""
    bot._connection.parse_interaction_create(payload)
    # The command tree runs each interaction in a task of its own, named so by discord.py.
    tasks = [t for t in asyncio.all_tasks() if t.get_name() == "CommandTree-invoker" and not t.done()]
    await asyncio.gather(*tasks)
