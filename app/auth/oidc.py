"""Sign-in through an OpenID Connect provider: Authlib's client, and the callback's checks.

Authlib does the protocol: discovery, PKCE (S256), state and nonce, and the ID
token's signature, issuer, audience and expiry. This module turns what it
refuses into a `SignInRefused` with words for the person, and hands the
verified claims to `people.services.sign_in_from_provider`.
"""

from dataclasses import dataclass, field

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError

from app.people import services as people
from app.people.models import User

CLIENT_NAME = "oidc"
SCOPES = "openid email profile"
PROVIDER_TIMEOUT_SECONDS = 10


@dataclass(eq=False)
class SignInRefused(Exception):
    """The provider's answer does not sign anyone in; `cause` is a short code for the audit trail."""

    cause: str
    message: str
    status: int = 400
    user: User | None = None
    details: dict = field(default_factory=dict)


class ProviderUnreachable(Exception):
    """The provider did not answer (discovery or token exchange)."""


def is_configured(app: Flask | None = None) -> bool:
    return bool((app or current_app).config["OIDC_ISSUER"])


def init_app(app: Flask) -> None:
    """Register the provider's client when OIDC_ISSUER is set; refuse a half-made configuration."""
    config = app.config
    if not config["OIDC_ISSUER"]:
        if not config["PASSWORD_SIGN_IN"]:
            raise RuntimeError("PASSWORD_SIGN_IN=false needs OIDC_ISSUER: nobody else could sign in")
        return
    missing = [name for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not config[name]]
    if missing:
        raise RuntimeError(f"OIDC_ISSUER is set, so {' and '.join(missing)} must be set too")
    oauth = OAuth(app)  # one registry per app: tests build apps for several providers in one process
    oauth.register(
        CLIENT_NAME,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        server_metadata_url=config["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPES, "code_challenge_method": "S256",
                       "default_timeout": PROVIDER_TIMEOUT_SECONDS},
    )
    app.extensions["oidc_client"] = oauth.create_client(CLIENT_NAME)


def client():
    return current_app.extensions["oidc_client"]


def redirect_uri() -> str:
    """The callback's address as the provider has it registered: under APP_BASE_URL, whatever the Host."""
    return current_app.config["APP_BASE_URL"].rstrip("/") + "/login/oidc/callback"


def start_sign_in():
    """Return the redirect to the provider's sign-in (state, nonce and PKCE kept in the session)."""
    try:
        return client().authorize_redirect(redirect_uri())
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnreachable(str(error)) from error


# What each of Authlib's refusals means to the person, by the claim it names.
CLAIM_REFUSALS = {
    "nonce": ("nonce", "The provider's answer belongs to another sign-in than the one started here."),
    "aud": ("audience", "The provider's answer was meant for another application."),
    "azp": ("audience", "The provider's answer was meant for another application."),
    "iss": ("issuer", "The provider's answer came from another issuer than the one this company uses."),
}
RETRY = "Go back to the sign-in page and start again."


def verified_claims(args) -> dict:
    """Exchange the callback's code and return the ID token's claims, verified by Authlib, or refuse."""
    config = current_app.config
    if args.get("error"):
        error = args.get("error", "")[:100]
        description = args.get("error_description", "")[:300]
        raise SignInRefused("provider_error", f"The sign-in provider refused: {description or error}.",
                            status=403 if error == "access_denied" else 400,
                            details={"error": error, "description": description})
    if not args.get("state"):
        raise SignInRefused("state", "This sign-in link has no state; it was not started here. " + RETRY)
    if "iss" in args and args["iss"] != config["OIDC_ISSUER"]:  # RFC 9207: an answer from another provider
        raise SignInRefused("issuer", CLAIM_REFUSALS["iss"][1] + " " + RETRY, details={"iss": args["iss"][:255]})
    try:
        token = client().authorize_access_token(
            claims_options={"iss": {"essential": True, "value": config["OIDC_ISSUER"]},
                            "aud": {"essential": True, "value": config["OIDC_CLIENT_ID"]}},
            leeway=config["OIDC_LEEWAY_SECONDS"],
        )
    except MismatchingStateError as error:
        raise SignInRefused("state", "This sign-in was already used, or was started in another browser. "
                            + RETRY) from error
    except OAuthError as error:
        raise SignInRefused("token_exchange", f"The provider would not complete the sign-in "
                            f"({error.error or 'error'}). " + RETRY,
                            details={"error": str(error.error or "")[:100]}) from error
    except ExpiredTokenError as error:
        raise SignInRefused("expired", "The provider's answer has expired. " + RETRY) from error
    except (InvalidClaimError, MissingClaimError) as error:
        claim = getattr(error, "claim", "") or ""
        cause, message = CLAIM_REFUSALS.get(claim, ("claims", "The provider's answer did not hold up."))
        raise SignInRefused(cause, message + " " + RETRY, details={"claim": claim}) from error
    except JoseError as error:
        raise SignInRefused("id_token", "The provider's ID token could not be verified. " + RETRY,
                            details={"error": type(error).__name__}) from error
    except requests.RequestException as error:
        raise ProviderUnreachable(str(error)) from error
    claims = token.get("userinfo")
    if not claims:
        raise SignInRefused("id_token", "The provider sent no ID token. " + RETRY)
    return dict(claims)


def sign_in(args) -> User:
    """Verify the callback and return the person it signs in (found, linked or created), or refuse."""
    config = current_app.config
    claims = verified_claims(args)
    verified = claims.get(config["OIDC_EMAIL_VERIFIED_CLAIM"])
    groups = claims.get(config["OIDC_GROUPS_CLAIM"])
    try:
        return people.sign_in_from_provider(
            issuer=config["OIDC_ISSUER"],
            subject=str(claims["sub"]),
            email=claims.get("email") if isinstance(claims.get("email"), str) else "",
            email_verified=verified is True or verified == "true",
            name=claims.get("name") if isinstance(claims.get("name"), str) else "",
            groups=[groups] if isinstance(groups, str) else groups if isinstance(groups, list) else None,
        )
    except people.ProviderSignInRefused as refusal:
        raise SignInRefused(refusal.cause, refusal.message, status=403, user=refusal.user,
                            details={"provider_subject": str(claims["sub"])[:255],
                                     "email": str(claims.get("email") or "")[:254]}) from refusal
