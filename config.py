"""Application settings, read from environment variables with strict parsing."""

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import orjson

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-secret-key-change-me"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean variable; anything but a known spelling is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """Read a whole number no smaller than `minimum`."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Read one of a few words; anything else is an error that names the variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise ValueError(f"{name} must be one of {'/'.join(choices)}, not {raw!r}")
    return value


def env_list(name: str) -> tuple[str, ...]:
    """Read a comma-separated list; blanks between commas are an error that names the variable."""
    raw = os.environ.get(name, "")
    if not raw.strip():
        return ()
    items = tuple(item.strip() for item in raw.split(","))
    if not all(items):
        raise ValueError(f"{name} must be a comma-separated list without empty items, not {raw!r}")
    return items


def env_url(name: str) -> str:
    """Read an http(s) address, or nothing; anything else is an error that names the variable."""
    raw = os.environ.get(name, "").strip()
    if raw and (not raw.startswith(("https://", "http://")) or any(ch.isspace() for ch in raw)):
        raise ValueError(f"{name} must be an http:// or https:// address, not {raw!r}")
    return raw
HOST_NAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")


def env_hosts(name: str) -> tuple[frozenset[str], tuple]:
    """Read a comma list of host names, addresses and CIDR networks; anything else is an error.

    Returns the names (lower case) and the networks (an address is a network of one).
    """
    names, networks = set(), []
    for raw in os.environ.get(name, "").split(","):
        item = raw.strip().lower()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=True))
            continue
        except ValueError:
            pass
        if "/" in item or ":" in item or not HOST_NAME.fullmatch(item) or item.replace(".", "").isdigit():
            raise ValueError(f"{name} must list host names, addresses or networks (10.0.0.0/8), not {raw.strip()!r}")
        names.add(item)
    return frozenset(names), tuple(networks)


def database_url(default: str) -> str:
    """Return DATABASE_URL, mapping postgres:// names to the psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL", "").strip() or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{BASE_DIR / 'instance' / 'hiring.db'}")
    # orjson reads the rollups' JSON (a big company's run to hundreds of kilobytes a page) about 3x faster.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "json_deserializer": orjson.loads}
    SQLALCHEMY_RECORD_QUERIES = False

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 10 * 1024 * 1024, minimum=1024)
    RESUME_MAX_BYTES = env_int("RESUME_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(BASE_DIR / "instance" / "uploads"))
    # Rendered debrief PDFs, keyed by their content fingerprint; empty means instance/pdf-cache.
    PDF_CACHE_DIR = os.environ.get("PDF_CACHE_DIR", "")
    PDF_CACHE_MAX_FILES = env_int("PDF_CACHE_MAX_FILES", 500, minimum=1)
    # The key and certificate (PEM files; the certificate file may carry its chain) that sign debrief PDFs.
    # Unset, the instance makes a self-signed pair on first use under PDF_SIGNING_DIR (default instance/signing).
    PDF_SIGNING_KEY = os.environ.get("PDF_SIGNING_KEY", "")
    PDF_SIGNING_CERT = os.environ.get("PDF_SIGNING_CERT", "")
    PDF_SIGNING_KEY_PASSPHRASE = os.environ.get("PDF_SIGNING_KEY_PASSPHRASE", "")
    PDF_SIGNING_DIR = os.environ.get("PDF_SIGNING_DIR", "")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    # A sign-in ends after this long whatever happens (absolute), or after this long unused (idle).
    PERMANENT_SESSION_LIFETIME = env_int("SESSION_LIFETIME_MINUTES", 12 * 60, minimum=1) * 60
    SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 60, minimum=1)

    # Sign-in throttling. Memory is per process; set a shared store (redis://...) for several instances.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # Per address, and per account over a short window so an attacker cannot lock a real user out for long.
    SIGN_IN_LIMIT_PER_ADDRESS = os.environ.get("SIGN_IN_LIMIT_PER_ADDRESS", "30 per 5 minutes")
    SIGN_IN_LIMIT_PER_ACCOUNT = os.environ.get("SIGN_IN_LIMIT_PER_ACCOUNT", "8 per 5 minutes")
    # The JSON API: requests allowed per personal access token, and the largest body it reads.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600 per minute")
    API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 64 * 1024, minimum=1024)

    # The process's knobs (PRODUCT.md: "minimum configurable").
    MIN_IN_HOUSE_INTERVIEWS = env_int("MIN_IN_HOUSE_INTERVIEWS", 4, minimum=1)
    MIN_REFERENCES = env_int("MIN_REFERENCES", 2, minimum=0)
    FEEDBACK_DUE_HOURS = env_int("FEEDBACK_DUE_HOURS", 24, minimum=1)
    STALLED_AFTER_DAYS = env_int("STALLED_AFTER_DAYS", 7, minimum=1)
    # Interview kits: questions suggested per principle, and evidence shorter than this many words is flagged.
    KIT_QUESTIONS_PER_PRINCIPLE = env_int("KIT_QUESTIONS_PER_PRINCIPLE", 2, minimum=1)
    COACHING_MIN_EVIDENCE_WORDS = env_int("COACHING_MIN_EVIDENCE_WORDS", 20, minimum=1)
    # The bar-raiser program (PRODUCT.md, "The bar-raiser program"): what the path asks of a trainee.
    BAR_RAISER_SHADOW_LOOPS = env_int("BAR_RAISER_SHADOW_LOOPS", 3, minimum=1)
    BAR_RAISER_REVERSE_SHADOW_LOOPS = env_int("BAR_RAISER_REVERSE_SHADOW_LOOPS", 1, minimum=1)
    BAR_RAISER_SIGN_OFFS = env_int("BAR_RAISER_SIGN_OFFS", 2, minimum=1)
    # Loop composition rules: how far below the role's level an in-house interviewer may be (the rule
    # can be turned off), and how many interviews one person takes in a week (0: no limit).
    INTERVIEWER_LEVEL_RULE = env_bool("INTERVIEWER_LEVEL_RULE", True)
    INTERVIEWER_MAX_LEVELS_BELOW = env_int("INTERVIEWER_MAX_LEVELS_BELOW", 1, minimum=0)
    MAX_INTERVIEWS_PER_WEEK = env_int("MAX_INTERVIEWS_PER_WEEK", 5, minimum=0)
    # Sign-in through an OpenID Connect provider (app/auth/oidc.py), on when OIDC_ISSUER is set.
    OIDC_ISSUER = env_url("OIDC_ISSUER")  # exactly as the provider's discovery document names itself
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "").strip()
    OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "").strip() or "single sign-on"
    OIDC_ALLOWED_DOMAINS = tuple(domain.lower().lstrip("@") for domain in env_list("OIDC_ALLOWED_DOMAINS"))
    OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "").strip() or "groups"
    OIDC_EMAIL_VERIFIED_CLAIM = os.environ.get("OIDC_EMAIL_VERIFIED_CLAIM", "").strip() or "email_verified"
    OIDC_LEEWAY_SECONDS = env_int("OIDC_LEEWAY_SECONDS", 60, minimum=0)  # clock skew allowed on the ID token
    # The group or role names (OpenID Connect groups claim, SCIM `roles`) that make a person an admin or a
    # recruiter, compared without regard to case. Unset, the provider leaves that role to the app's admins.
    IDP_ADMIN_GROUPS = env_list("IDP_ADMIN_GROUPS")
    IDP_RECRUITER_GROUPS = env_list("IDP_RECRUITER_GROUPS")
    # Off: only accounts an admin marked break-glass sign in with a password.
    PASSWORD_SIGN_IN = env_bool("PASSWORD_SIGN_IN", True)
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_HASH_METHOD = "scrypt"  # Werkzeug's defaults: n=2**15, r=8, p=1

    # Mail: printed to the log unless MAIL_SERVER is set.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = env_int("MAIL_PORT", 25, minimum=1)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "hiring@localhost")
    APP_BASE_URL = os.environ.get("APP_BASE_URL", "").strip() or "http://127.0.0.1:5000"  # for links in e-mails

    # SCIM provisioning (/scim/v2): requests per token holder's address, and the largest request body.
    SCIM_RATE_LIMIT = os.environ.get("SCIM_RATE_LIMIT", "600 per minute")
    SCIM_MAX_BODY_BYTES = env_int("SCIM_MAX_BODY_BYTES", 256 * 1024, minimum=1024)
    # Calendars (app/interviews/calendar.py): the domain of every event's UID, fixed when an interview is
    # scheduled; how far back a private feed reaches; how often one feed URL may be fetched.
    CALENDAR_DOMAIN = (os.environ.get("CALENDAR_DOMAIN", "").strip()
                       or urlsplit(APP_BASE_URL).hostname or "localhost")
    CALENDAR_FEED_DAYS = env_int("CALENDAR_FEED_DAYS", 90, minimum=1)
    CALENDAR_FEED_LIMIT = os.environ.get("CALENDAR_FEED_LIMIT", "60 per hour")

    # Background jobs (app/jobs): "queue" hands them to the workers, "immediate" runs each in the
    # request that asked for it, after its commit; "off" drops them. The queue's store is Redis when
    # JOBS_REDIS_URL is set, else a SQLite file; web and worker processes must name the same one.
    # The store is built once per process, when app.jobs is first imported.
    JOBS_MODE = env_choice("JOBS_MODE", "queue", ("queue", "immediate", "off"))
    JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL", "").strip()
    JOBS_SQLITE_PATH = os.environ.get("JOBS_SQLITE_PATH", "").strip() or str(BASE_DIR / "instance" / "jobs.db")
    JOBS_QUEUE_NAME = os.environ.get("JOBS_QUEUE_NAME", "").strip() or "bar-raiser"

    # Webhooks and chat notices (app/webhooks). Addresses that resolve to private, loopback, link-local,
    # multicast or reserved networks are refused unless named here (host names, addresses or CIDRs).
    WEBHOOK_ALLOWED_HOSTS = env_hosts("WEBHOOK_ALLOWED_HOSTS")
    WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
    WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 10, minimum=1)
    WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = database_url("sqlite://")
    WTF_CSRF_ENABLED = False
    UPLOAD_FOLDER = ""  # each test app gets its own temporary folder
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # still scrypt, cheap enough for thousands of test users
    JOBS_MODE = "off"  # tests of the jobs turn them on


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = True

    # A self-signed signing pair made on first use is per machine: several instances would sign
    # with different keys, and a redeploy that loses instance/ changes the key. Production names
    # its pair, or says it accepts the instance's own (PDF_SIGNING_SELF_SIGNED=true).
    PDF_SIGNING_SELF_SIGNED = env_bool("PDF_SIGNING_SELF_SIGNED", False)

    @classmethod
    def check(cls) -> None:
        """Refuse to run in production with the development secret key or an unnamed signing key."""
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEV_SECRET_KEY or len(cls.SECRET_KEY) < 32:
            raise RuntimeError(
                "ProductionConfig needs SECRET_KEY set to a random value of 32+ characters"
            )
        if not (cls.PDF_SIGNING_KEY and cls.PDF_SIGNING_CERT) and not cls.PDF_SIGNING_SELF_SIGNED:
            raise RuntimeError(
                "ProductionConfig needs PDF_SIGNING_KEY and PDF_SIGNING_CERT (PEM files) to sign debrief PDFs "
                "with one key on every instance, or PDF_SIGNING_SELF_SIGNED=true to accept a per-instance pair"
            )
        if cls.OIDC_ISSUER and not cls.OIDC_ISSUER.startswith("https://"):
            raise RuntimeError("ProductionConfig needs OIDC_ISSUER to be an https:// address")
