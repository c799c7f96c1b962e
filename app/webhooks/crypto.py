"""Keep the secrets the app must read back (signing secrets, chat addresses) encrypted at rest.

A signing secret cannot be stored as a digest the way a bearer token is
(`app/tokens.py`): the app needs the secret itself to compute each message's
HMAC. So it is encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the
`cryptography` package) under a key derived from SECRET_KEY with HKDF. A copy
of the database alone reveals nothing; changing SECRET_KEY makes the stored
secrets unreadable, and each endpoint's secret must then be rotated.
"""

import base64
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# The Standard Webhooks spelling of a signing secret: a format, not a secret.
SECRET_PREFIX = "whsec_"  # nosec B105
SECRET_BYTES = 32


class UnreadableSecret(RuntimeError):
    """A stored secret that this SECRET_KEY cannot decrypt (the key changed since it was stored)."""


def fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"bar-raiser webhook secrets v1").derive(
        current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode("ascii")


def unseal(ciphertext: str) -> str:
    try:
        return fernet().decrypt(ciphertext.encode("ascii")).decode()
    except InvalidToken:
        raise UnreadableSecret("The stored secret cannot be read with this SECRET_KEY; rotate it.") from None


def new_signing_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")
