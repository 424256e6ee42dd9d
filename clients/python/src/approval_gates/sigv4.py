"""AWS Signature Version 4 for the ``execute-api`` service, standard library only.

It signs exactly as the TypeScript SDK's signer does (``@smithy/signature-v4``): the path
normalized and encoded a second time, the query decoded and re-encoded in sorted order, the
payload hash sent as ``x-amz-content-sha256``. The golden vectors in
``contracts/fixtures/sigv4`` hold both to the same signatures.
"""

from __future__ import annotations

import configparser
import datetime
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Union
from urllib.parse import parse_qsl, quote, urlsplit

__all__ = [
    "AwsCredentials",
    "CredentialsSource",
    "credentials_from_environment",
    "credentials_from_shared_file",
    "default_credentials",
    "resolve_credentials",
    "region_from_host",
    "sign_request",
]

SERVICE = "execute-api"
ALGORITHM = "AWS4-HMAC-SHA256"
# Headers a proxy or the HTTP stack may change on the way, so they are never signed.
_UNSIGNABLE = {
    "authorization",
    "cache-control",
    "connection",
    "expect",
    "from",
    "keep-alive",
    "max-forwards",
    "pragma",
    "referer",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
}
_API_GATEWAY_HOST = re.compile(r"\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class AwsCredentials:
    """An access key pair, with a session token for temporary credentials."""

    access_key_id: str
    secret_access_key: str
    session_token: Optional[str] = None

    def __repr__(self) -> str:
        # Never show the secret in a traceback or a log line.
        return "AwsCredentials(access_key_id=%r, secret_access_key=<hidden>)" % self.access_key_id


#: Credentials, a callable returning fresh ones, or an object with ``access_key``,
#: ``secret_key`` and ``token`` (such as botocore's frozen credentials).
CredentialsSource = Union[AwsCredentials, Callable[[], Any], Any]


def credentials_from_environment(env: Optional[Mapping[str, str]] = None) -> Optional[AwsCredentials]:
    """``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and ``AWS_SESSION_TOKEN``, when set."""
    env = os.environ if env is None else env
    key, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if not key or not secret:
        return None
    return AwsCredentials(key, secret, env.get("AWS_SESSION_TOKEN") or None)


def credentials_from_shared_file(
    profile: Optional[str] = None, path: Optional[str] = None, env: Optional[Mapping[str, str]] = None
) -> Optional[AwsCredentials]:
    """Static keys of a profile in ``~/.aws/credentials`` (``AWS_PROFILE``, else ``default``)."""
    env = os.environ if env is None else env
    path = path or env.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.expanduser("~/.aws/credentials")
    profile = profile or env.get("AWS_PROFILE") or "default"
    parser = configparser.RawConfigParser()
    if not parser.read(path):
        return None
    if not parser.has_section(profile):
        return None
    section = parser[profile]
    key, secret = section.get("aws_access_key_id"), section.get("aws_secret_access_key")
    if not key or not secret:
        return None
    return AwsCredentials(key.strip(), secret.strip(), (section.get("aws_session_token") or "").strip() or None)


def default_credentials() -> AwsCredentials:
    """The environment's credentials, else the shared credentials file's; raises when neither has any."""
    found = credentials_from_environment() or credentials_from_shared_file()
    if found is None:
        raise LookupError(
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass credentials "
            "(for example a callable returning boto3's frozen credentials)"
        )
    return found


def resolve_credentials(source: Optional[CredentialsSource]) -> AwsCredentials:
    """Turns any accepted credentials source into :class:`AwsCredentials`."""
    if source is None:
        return default_credentials()
    if isinstance(source, AwsCredentials):
        return source
    if callable(source):
        return resolve_credentials(source())
    key = getattr(source, "access_key", None) or getattr(source, "access_key_id", None)
    secret = getattr(source, "secret_key", None) or getattr(source, "secret_access_key", None)
    token = getattr(source, "token", None) or getattr(source, "session_token", None)
    if not key or not secret:
        raise TypeError("credentials need an access key and a secret key")
    return AwsCredentials(key, secret, token or None)


def region_from_host(host: str) -> Optional[str]:
    """The region in an API Gateway host such as ``abc.execute-api.eu-west-1.amazonaws.com``."""
    match = _API_GATEWAY_HOST.search(host)
    return match.group(1) if match else None


def _escape(text: str) -> str:
    """RFC 3986 encoding: everything but letters, digits and ``-_.~`` is percent-encoded."""
    return quote(text, safe="-_.~")


def _canonical_path(path: str) -> str:
    segments: List[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
        else:
            segments.append(segment)
    normalized = ("/" if path.startswith("/") else "") + "/".join(segments)
    if segments and path.endswith("/"):
        normalized += "/"
    # The path as sent is already encoded once; execute-api signs it encoded a second time.
    return _escape(normalized).replace("%2F", "/")


def _canonical_query(query: str) -> str:
    # Decoded as a form (a plus is a space), the last value of a repeated key winning.
    pairs: Dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        pairs[key] = value
    encoded = {}
    for key, value in pairs.items():
        if key.lower() == "x-amz-signature":
            continue
        encoded[_escape(key)] = _escape(value)
    return "&".join("%s=%s" % (key, encoded[key]) for key in sorted(encoded))


def _canonical_value(value: str) -> str:
    value = re.sub(r"[ \t]+", " ", re.sub(r"[\r\n]", " ", value))
    return re.sub(r"^ | $", "", value)


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        return "%s:%d" % (host, parts.port)
    return host


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: Optional[bytes],
    credentials: AwsCredentials,
    region: str,
    now: Optional[datetime.datetime] = None,
) -> Dict[str, str]:
    """The request's headers with its SigV4 signature added (``authorization``, ``x-amz-date``,
    ``x-amz-content-sha256`` and, for temporary credentials, ``x-amz-security-token``).

    ``host`` is signed but not returned: the HTTP client sends it from the URL.
    """
    moment = (now or datetime.datetime.now(datetime.timezone.utc)).astimezone(datetime.timezone.utc)
    long_date = moment.strftime("%Y%m%dT%H%M%SZ")
    short_date = long_date[:8]
    payload_hash = hashlib.sha256(body or b"").hexdigest()
    signed: Dict[str, str] = {name.lower(): value for name, value in headers.items()}
    signed["x-amz-date"] = long_date
    if credentials.session_token:
        signed["x-amz-security-token"] = credentials.session_token
    signed.setdefault("x-amz-content-sha256", payload_hash)
    canonical_headers = {
        name: _canonical_value(value) for name, value in signed.items() if name not in _UNSIGNABLE
        and not name.startswith(("proxy-", "sec-"))
    }
    canonical_headers["host"] = _host_of(url)
    names = sorted(canonical_headers)
    parts = urlsplit(url)
    canonical_request = "\n".join(
        [
            method.upper(),
            _canonical_path(parts.path or "/"),
            _canonical_query(parts.query),
            "\n".join("%s:%s" % (name, canonical_headers[name]) for name in names),
            "",
            ";".join(names),
            payload_hash,
        ]
    )
    scope = "%s/%s/%s/aws4_request" % (short_date, region, SERVICE)
    string_to_sign = "\n".join(
        [ALGORITHM, long_date, scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
    )
    key = ("AWS4" + credentials.secret_access_key).encode("utf-8")
    for part in (short_date, region, SERVICE, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    signed["authorization"] = "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        ALGORITHM,
        credentials.access_key_id,
        scope,
        ";".join(names),
        signature,
    )
    return signed
