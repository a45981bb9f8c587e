"""What a person (or an administrator for them) says when a token is made, said once for the page and the CLI."""
from __future__ import annotations

from engine.core.fields import Field
from engine.core.text import N_

READ, WRITE = "read", "write"
SCOPES = {READ: N_("只读（查询待办、任务、报表）"), WRITE: N_("读写（还可办理待办事项）")}
MAX_DAYS = 3650

TOKEN_FIELDS = (
    Field("name", "line", max_length=100, label=N_("用途"),
          help=N_("例如：省级平台对接、移动端；列表中据此认出这个令牌")),
    Field("scope", "choice", choices=SCOPES, label=N_("权限范围"), widget="radio", initial=READ),
    Field("expires_days", "int", required=False, low=1, high=MAX_DAYS, widget="line", label=N_("有效天数"),
          help=N_("留空则一直有效，直至撤销")),
)
