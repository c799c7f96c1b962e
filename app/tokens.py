"""Bearer secrets: made once, shown once, kept only as a digest.

Every secret another system presents to us (a personal access token, the SCIM
token, a calendar feed's URL token) goes through here: `issue` makes the
plaintext the person sees once and the digest the database keeps; `digest_of`
turns a presented secret into the digest to look up. The digest is SHA-256 of
a 256-bit random secret, so no salt or slow hash is needed: nothing can be
guessed from it, and a lookup by digest compares nothing in Python.
"""

import hashlib
import secrets
from typing import NamedTuple

DIGEST_LENGTH = 64  # hex SHA-256: the column width every token table uses
PREFIX_LENGTH = 12  # how much of a token a list may show to tell tokens apart


class Issued(NamedTuple):
    plaintext: str  # shown to its owner once, never stored
    digest: str  # stored, unique, the only way back to the row
    hint: str  # the first characters, safe to show in a list


def issue(prefix: str) -> Issued:
    """A new secret whose plaintext starts with `prefix` (for example "hrt_pat_") so a leaked one is recognisable."""
    plaintext = prefix + secrets.token_urlsafe(32)
    return Issued(plaintext, digest_of(plaintext), plaintext[: len(prefix) + 4])


def digest_of(presented: str) -> str:
    """The stored digest of a presented secret (any string; a wrong one simply matches no row)."""
    return hashlib.sha256(presented.encode("utf-8", "surrogatepass")).hexdigest()
