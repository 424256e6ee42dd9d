"""SigV4: the TypeScript signer's golden vectors, signature for signature."""

import datetime
import os
import tempfile
import unittest
from urllib.parse import urlsplit

from tests.support import fixtures

from approval_gates.sigv4 import (
    AwsCredentials,
    credentials_from_environment,
    credentials_from_shared_file,
    region_from_host,
    resolve_credentials,
    sign_request,
)


def _date(iso: str) -> datetime.datetime:
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)


def _region_of(url: str) -> str:
    region = region_from_host(urlsplit(url).hostname or "")
    if region is None:
        raise AssertionError("vector %s names no region" % url)
    return region


class SigV4Vectors(unittest.TestCase):
    def test_there_are_vectors(self) -> None:
        self.assertGreaterEqual(len(list(fixtures("sigv4"))), 10)

    def test_each_vector_is_signed_as_the_typescript_sdk_signs_it(self) -> None:
        for name, vector in fixtures("sigv4"):
            with self.subTest(vector=vector["name"], file=name):
                given = vector["input"]
                creds = given["credentials"]
                headers = sign_request(
                    given["method"],
                    given["url"],
                    given["headers"],
                    given["body"].encode("utf-8") if "body" in given else None,
                    AwsCredentials(creds["accessKeyId"], creds["secretAccessKey"], creds.get("sessionToken")),
                    given.get("region") or _region_of(given["url"]),
                    _date(given["signing_date"]),
                )
                self.assertEqual(headers, vector["expected"]["headers"])

    def test_credentials_never_show_their_secret(self) -> None:
        self.assertNotIn("s3cret", repr(AwsCredentials("AKID", "s3cret", "token")))


class CredentialSources(unittest.TestCase):
    def test_the_environment_gives_keys_and_a_session_token(self) -> None:
        found = credentials_from_environment(
            {"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "tok"}
        )
        self.assertEqual(found, AwsCredentials("AKID", "secret", "tok"))
        self.assertIsNone(credentials_from_environment({"AWS_ACCESS_KEY_ID": "AKID"}))

    def test_the_shared_file_gives_the_named_profile(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "credentials")
            with open(path, "w", encoding="utf-8") as f:
                f.write("[default]\naws_access_key_id = A1\naws_secret_access_key = S1\n")
                f.write("[agent]\naws_access_key_id = A2\naws_secret_access_key = S2\naws_session_token = T2\n")
            self.assertEqual(credentials_from_shared_file(path=path, env={}), AwsCredentials("A1", "S1"))
            self.assertEqual(
                credentials_from_shared_file(path=path, env={"AWS_PROFILE": "agent"}),
                AwsCredentials("A2", "S2", "T2"),
            )
            self.assertIsNone(credentials_from_shared_file(profile="none", path=path, env={}))

    def test_a_callable_or_a_botocore_style_object_is_accepted(self) -> None:
        class Frozen:
            access_key = "AKID"
            secret_key = "secret"
            token = None

        self.assertEqual(resolve_credentials(lambda: Frozen()), AwsCredentials("AKID", "secret"))
        with self.assertRaises(TypeError):
            resolve_credentials(object())


if __name__ == "__main__":
    unittest.main()
