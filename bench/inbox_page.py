"""Reading duban's pages as the load benchmark's simulated people do: the inbox and a work form."""
from __future__ import annotations

import re
from dataclasses import dataclass

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
INBOX_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
WORK_LINK = re.compile(r'href="/work/(\d+)"')
ALERT = re.compile(r'class="(?:alert|invalid-feedback)[^"]*"[^>]*>(.*?)</div>', re.S)
#: the report step each role does: its name in the inbox, and what the person fills in
REPORT_STEPS = {
    "staff": ("填报月度进展", "report_submit",
              {"progress": "本月完成排污口排查，截污管网施工过半", "percent_complete": "60", "problems": "",
               "next_steps": "完成剩余管网施工"}),
    "head": ("签发月度进展", "report_sign", {"decision": "submit", "comment": ""}),
    "supervisor": ("审核月度进展", "report_review", {"decision": "accept", "comment": ""}),
}


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    #: a supervisor takes the reports whose work id falls in their share, so two never take the same
    share: int = 0
    shares: int = 1


def csrf_token(page: str) -> str | None:
    match = CSRF_FIELD.search(page)
    return match.group(1) if match else None


def report_work(inbox: str, step_name: str, account: Account) -> list[int]:
    """The ids of the inbox's open work of this step that is this person's to do."""
    ids = []
    for row in INBOX_ROW.findall(inbox):
        link = WORK_LINK.search(row)
        if link and step_name in row and int(link.group(1)) % account.shares == account.share:
            ids.append(int(link.group(1)))
    return ids


def alert(page: str) -> str:
    """What the page told the person (a flashed message or a form error), for the failure report."""
    match = ALERT.search(page)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()[:200] if match else page[:200]
