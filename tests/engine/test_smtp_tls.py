"""E-mail over TLS against a real SMTP server (aiosmtpd) whose certificate comes from a certificate authority
made for the test (trustme): STARTTLS and implicit TLS, the login over TLS only, the office's CA trusted through
DUBAN_SMTP_CA_FILE, and a server nobody vouches for refused."""
from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from engine.core.settings import Channels
from engine.features.notifications.channels import DeliveryError, Email, Envelope
from tests.outlets import SMTP_LOGIN, Mailbox, smtp_server, smtp_tls_server

# aiosmtpd warns of AUTH without TLS for the implicit TLS server, which it does not know to be encrypted
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture
def authority() -> trustme.CA:
    return trustme.CA(organization_name="江阳区 office CA")


@pytest.fixture
def ca_file(authority: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "office-ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def certificate(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture(params=["starttls", "ssl"])
def server(request: pytest.FixtureRequest, certificate: ssl.SSLContext) -> Iterator[tuple[str, Mailbox, int]]:
    with smtp_tls_server(request.param, certificate) as (mailbox, port):
        yield request.param, mailbox, port


def email(security: str, port: int, ca_file: str = "", login: tuple[str, str] = SMTP_LOGIN) -> Email:
    channels = Channels(smtp_host="127.0.0.1", smtp_port=port, smtp_security=security, smtp_user=login[0],
                        smtp_password=login[1], smtp_sender="duban@example.gov.cn", smtp_ca_file=ca_file,
                        timeout_seconds=5)
    channels.check()
    return Email(channels)


LETTER = Envelope("督办提醒：1-1", "1-1 有新的待办", ("staff@jiangyang.gov.cn",))


def test_a_message_goes_over_tls_with_the_login_when_the_offices_ca_is_trusted(
        server: tuple[str, Mailbox, int], ca_file: str) -> None:
    security, mailbox, port = server
    email(security, port, ca_file).send(LETTER)
    [mail] = mailbox.messages
    assert mail["Subject"] == "督办提醒：1-1" and mail["To"] == "staff@jiangyang.gov.cn"
    assert mail.get_content().strip() == "1-1 有新的待办"


def test_a_server_whose_certificate_nobody_vouches_for_gets_nothing(server: tuple[str, Mailbox, int]) -> None:
    security, mailbox, port = server
    with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
        email(security, port).send(LETTER)
    assert mailbox.messages == []


def test_a_wrong_login_is_refused_over_tls(server: tuple[str, Mailbox, int], ca_file: str) -> None:
    security, mailbox, port = server
    with pytest.raises(DeliveryError, match="535"):
        email(security, port, ca_file, login=("duban", "wrong")).send(LETTER)
    assert mailbox.messages == []


def test_with_starttls_a_server_without_it_gets_neither_the_login_nor_the_message(ca_file: str) -> None:
    with smtp_server() as (mailbox, port), pytest.raises(DeliveryError, match="STARTTLS extension not supported"):
        email("starttls", port, ca_file).send(LETTER)
    assert mailbox.messages == []


def test_a_ca_file_that_is_not_there_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="DUBAN_SMTP_CA_FILE"):
        email("starttls", 25, str(tmp_path / "missing.pem"))
