"""The ways out: e-mail over SMTP, the group robots of 企业微信 (WeCom) and 钉钉 (DingTalk), and SMS through a
provider (one webhook-style provider here; a province plugs its own gateway in behind `SmsProvider`).

Each channel sends one `Envelope` or raises `DeliveryError` saying why not; the outbox retries it later.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import quote_plus

import httpx

from engine.core.clock import Clock, SystemClock
from engine.core.settings import Channels


class DeliveryError(Exception):
    """A channel could not deliver: the server is away, refused, or answered with an error."""


@dataclass(frozen=True)
class Envelope:
    """One message out: to these addresses (e-mail addresses, or mobile numbers a robot mentions)."""

    title: str
    text: str
    addresses: tuple[str, ...] = ()


class Channel(Protocol):
    def send(self, envelope: Envelope) -> None: ...


class Email:
    """SMTP with STARTTLS, SSL (implicit TLS) or neither, and a login if one is configured. The server's
    certificate is checked against the system's certificate authorities and the configured CA file, if any; with
    STARTTLS, a server that does not offer it gets neither the login nor the message."""

    def __init__(self, channels: Channels) -> None:
        self.config = channels

    def send(self, envelope: Envelope) -> None:
        message = EmailMessage()
        message["Subject"], message["From"] = envelope.title, self.config.smtp_sender
        message["To"] = ", ".join(envelope.addresses)
        message.set_content(envelope.text)
        try:
            with self._connect() as smtp:
                if self.config.smtp_user:
                    smtp.login(self.config.smtp_user, self.config.smtp_password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP {self.config.smtp_host}:{self.config.smtp_port}: {exc}") from exc

    def _connect(self) -> smtplib.SMTP:
        host, port, timeout = self.config.smtp_host, self.config.smtp_port, self.config.timeout_seconds
        if self.config.smtp_security == "ssl":
            return smtplib.SMTP_SSL(host, port, timeout=timeout, context=self.tls_context())
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if self.config.smtp_security == "starttls":
            try:
                smtp.starttls(context=self.tls_context())
            except BaseException:
                smtp.close()
                raise
        return smtp

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.config.smtp_ca_file:
            context.load_verify_locations(cafile=self.config.smtp_ca_file)
        return context


def post_json(url: str, body: dict[str, Any], timeout: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """POST a JSON body; the JSON answer (robots say errcode 0 when they took the message)."""
    try:
        response = httpx.post(url, json=body, timeout=timeout, headers=headers)
        response.raise_for_status()
        answer = response.json() if response.content else {}
    except (httpx.HTTPError, ValueError) as exc:
        raise DeliveryError(f"{_without_query(url)}: {exc}") from exc
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryError(f"{_without_query(url)}: {answer.get('errcode')} {answer.get('errmsg', '')}".strip())
    return answer if isinstance(answer, dict) else {}


def _without_query(url: str) -> str:
    """The robots' keys and signatures travel in the query: errors shown to the administrator leave it out."""
    return url.split("?", 1)[0]


class WeComRobot:
    """企业微信群机器人: a text message to the group, mentioning the people by mobile number."""

    def __init__(self, channels: Channels) -> None:
        self.url, self.timeout = channels.wecom_webhook, channels.timeout_seconds

    def send(self, envelope: Envelope) -> None:
        post_json(self.url, {"msgtype": "text", "text": {
            "content": f"{envelope.title}\n{envelope.text}", "mentioned_mobile_list": list(envelope.addresses)}},
            self.timeout)


class DingTalkRobot:
    """钉钉群机器人: a text message, with the signed request when the robot has a secret."""

    def __init__(self, channels: Channels, clock: Clock | None = None) -> None:
        self.url, self.secret = channels.dingtalk_webhook, channels.dingtalk_secret
        self.timeout = channels.timeout_seconds
        # the signature's timestamp is the wall clock's (DingTalk refuses one an hour off), not the business clock
        self.clock = clock or SystemClock()

    def send(self, envelope: Envelope) -> None:
        post_json(self.signed_url(), {"msgtype": "text", "text": {"content": f"{envelope.title}\n{envelope.text}"},
                                      "at": {"atMobiles": list(envelope.addresses)}}, self.timeout)

    def signed_url(self) -> str:
        if not self.secret:
            return self.url
        timestamp = str(int(self.clock.now().timestamp() * 1000))
        joiner = "&" if "?" in self.url else "?"
        return f"{self.url}{joiner}timestamp={timestamp}&sign={dingtalk_sign(timestamp, self.secret)}"


def dingtalk_sign(timestamp: str, secret: str) -> str:
    """HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret, base64, URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


class SmsProvider(Protocol):
    """A province's SMS gateway: one text to these mobile numbers, or DeliveryError."""

    def send_sms(self, mobiles: tuple[str, ...], text: str) -> None: ...


class WebhookSms:
    """An SMS gateway reached by a JSON POST {"mobiles": [...], "text": "..."} with a bearer token."""

    def __init__(self, channels: Channels) -> None:
        self.url, self.token, self.timeout = channels.sms_webhook, channels.sms_token, channels.timeout_seconds

    def send_sms(self, mobiles: tuple[str, ...], text: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        post_json(self.url, {"mobiles": list(mobiles), "text": text}, self.timeout, headers)


class Sms:
    def __init__(self, provider: SmsProvider) -> None:
        self.provider = provider

    def send(self, envelope: Envelope) -> None:
        self.provider.send_sms(envelope.addresses, f"{envelope.title}\n{envelope.text}")


def configured_channels(channels: Channels) -> dict[str, Channel]:
    """The channels the settings configure, by name."""
    built: dict[str, Channel] = {"email": Email(channels), "wecom": WeComRobot(channels),
                                 "dingtalk": DingTalkRobot(channels), "sms": Sms(WebhookSms(channels))}
    return {name: built[name] for name in channels.configured()}
