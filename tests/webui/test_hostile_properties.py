"""Every input bounded, on SQLite and on PostgreSQL: random text (NUL bytes, lone surrogates sent as the bytes a
browser would send, numbers past any database integer, very long values) into every query parameter of the
list pages and into the main forms never gives a server error.

Values are sent as raw bytes (percent-encoded UTF-8, with surrogates as their invalid UTF-8), the way a hostile
client can send them, not as a test client would clean them.
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.webui.conftest import CSRF_FIELD, Browser

QUICK = settings(max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck))
EDGES = ["\x00", "a\x00b", "\ud800", "x\udfff\x00", "2147483648", "9223372036854775808", "-9223372036854775809",
         "9" * 400, "1e999", "NaN", "-1", "0", "٣", "\u202e", "长" * 3000, "x" * 20_000, "2026-02-30", "99999-01-01"]
hostile = st.one_of(
    st.sampled_from(EDGES),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.text(alphabet=st.characters(codec=None, categories=("Cs", "Cc", "Lo", "Nd", "Zs")), max_size=60),
)
#: each list page, who may see it, and the parameters it reads
LIST_PAGES = {
    "/ledger": ("supervisor", ("category", "unit", "status", "warning", "leader", "q", "page", "lead", "overdue",
                               "registered_by", "closed_by", "closed_in")),
    "/escalations": ("coordinator", ("level", "unit", "status", "trigger", "q", "page")),
    "/clues": ("coordinator", ("status", "unit", "q", "page")),
    "/admin/users": ("admin", ("q", "role", "state", "page")),
    "/admin/audit": ("admin", ("action", "actor", "task", "object", "since", "until", "q", "client", "page",
                               "verify")),
    "/admin/audit.csv": ("admin", ("action", "actor", "task", "object", "since", "until", "q", "client")),
    "/public/": ("", ("status", "page")),
    "/inbox": ("staff", ("page",)),
    "/bulletin": ("coordinator", ("month",)),
    "/targets/values": ("coordinator", ("period",)),
    "/admin/incidents/": ("admin", ("all",)),
}
#: the main forms, who fills them in, and their fields
FORMS = {
    "/tasks/new": ("coordinator", ("code", "title", "category_id", "lead_unit_id", "cooperating_unit_ids",
                                   "lead_leader_id", "deadline_kind", "deadline", "source", "description")),
    "/admin/users/new": ("admin", ("username", "display_name", "title", "role", "unit", "password")),
    "/clues/new": ("coordinator", ("title", "source", "received_on", "content", "task_ids", "unit_ids")),
    "/account/password": ("staff", ("current", "new", "confirm")),
}


def encoded(pairs: dict[str, str]) -> bytes:
    """A query string or form body as a hostile client sends it: UTF-8, lone surrogates as their bytes."""
    return b"&".join(quote_from_bytes(name.encode()).encode() + b"=" +
                     quote_from_bytes(value.encode("utf-8", "surrogatepass")).encode() for name, value in pairs.items())


def no_server_error(status: int, where: str, sent: dict[str, str]) -> None:
    assert status < 500, (where, {name: value[:80] for name, value in sent.items()})


def test_list_pages_take_any_query_string(login_as: Callable[[str], Browser], client: Browser) -> None:
    browsers = {who: login_as(who) for who, _ in LIST_PAGES.values() if who} | {"": client}

    @QUICK
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        for url, (who, names) in LIST_PAGES.items():
            args = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(names, hostile)), label=url)
            response = browsers[who].client.get(url, query_string=encoded(args).decode("ascii"))
            no_server_error(response.status_code, url, args)
            response.close()

    check()


def test_the_main_forms_take_any_text(login_as: Callable[[str], Browser], client: Browser) -> None:
    browsers = {who: login_as(who) for who, _ in FORMS.values()}

    @QUICK
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        for url, (who, names) in FORMS.items():
            fields = data.draw(st.fixed_dictionaries(dict.fromkeys(names, hostile)), label=url)
            no_server_error(post(browsers[who], url, fields), url, fields)
        login = data.draw(st.fixed_dictionaries(dict.fromkeys(("username", "password"), hostile)), label="login")
        no_server_error(post(client, "/login", login), "/login", login)

    check()


def post(browser: Browser, url: str, fields: dict[str, str]) -> int:
    token = CSRF_FIELD.search(browser.get(url).get_data(as_text=True))
    assert token, url
    body = encoded({"csrf_token": token.group(1), **fields})
    response = browser.client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    return response.status_code
