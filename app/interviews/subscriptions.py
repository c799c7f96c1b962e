"""A person's calendar subscription: the page that makes the private feed URL, and the feed itself."""

import hashlib
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.gate import public
from app.extensions import db, limiter
from app.interviews import feeds
from app.loops.forms import ActionForm
from app.notifications.messages import absolute_url
from app.tokens import digest_of

bp = Blueprint("calendar", __name__)


def subscription_links(token: str) -> dict[str, str]:
    """The feed's address for copying, as a webcal:// link, and as Google Calendar's "add by URL" link."""
    https = absolute_url("calendar.feed", token=token)
    webcal = "webcal://" + https.split("://", 1)[1]
    return {"url": https, "webcal": webcal, "google": url_for_google(webcal)}


def url_for_google(webcal: str) -> str:
    return "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal})


def account_page(status: int = 200, token: str | None = None):
    feed = feeds.feed_of(current_user)
    return render_template("interviews/calendar_subscription.html", feed=feed, form=ActionForm(),
                           links=subscription_links(token) if token else None), status


@bp.route("/account/calendar")
def account():
    """The person's own calendar subscription: whether they have a feed, and how to make or reset its link."""
    return account_page()


@bp.route("/account/calendar", methods=["POST"])
def issue():
    """Make a new feed link (the old one, if any, stops working) and show it, once."""
    if not ActionForm().validate_on_submit():
        abort(400)
    token = feeds.issue_feed(current_user)
    db.session.commit()
    return account_page(token=token)


@bp.route("/account/calendar/revoke", methods=["POST"])
def revoke():
    """Turn the feed off: its link answers 404 from now on."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if feeds.revoke_feed(current_user):
        db.session.commit()
        flash("Your calendar feed is turned off; its link no longer works.", "success")
    return redirect(url_for("calendar.account"))


def feed_key() -> str:
    """Count fetches per feed URL: calendar services fetch many people's feeds from the same addresses."""
    return "calendar-feed:" + digest_of((request.view_args or {}).get("token", ""))[:32]


@bp.route("/calendar/<token>.ics")
@public
@limiter.limit(lambda: current_app.config["CALENDAR_FEED_LIMIT"], key_func=feed_key)
def feed(token: str):
    """The private feed: the person's interviews as a subscribed calendar; 404 for any other secret."""
    person = feeds.owner_of(token)
    if person is None:
        abort(404)
    content = feeds.build_feed(person, lambda loop_id: absolute_url("loops.show", loop_id=loop_id))
    response = Response(content.body, mimetype="text/calendar")
    response.set_etag(hashlib.sha256(content.body).hexdigest()[:40])
    if content.last_modified is not None:
        response.last_modified = content.last_modified
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    return response.make_conditional(request)
