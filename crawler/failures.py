"""What a failed fetch was, and when to ask for it again: the policy behind the ``fetch_failures`` table.

A report page, attachment or list page that failed is asked for again on later runs, later each time
(back-off), until it answers or is judged gone: a 404/410 (or an attachment over the size cap) on
``FAILED_GONE_AFTER_404`` runs, anything else on ``FAILED_GONE_AFTER`` runs. A Retry-After the server sent
is honoured as the earliest next try. Pure functions; the archive stores their answers
(govreports/archive.py), the pipeline applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TimeoutError as TwistedTimeoutError

# Reasons a fetch fails (fetch_failures.reason); http_NNN for an HTTP error status.
TIMEOUT = "timeout"
TRUNCATED = "truncated"
SIZE_CAP = "size_cap"
TRANSPORT = "transport"
REDIRECT_LOOP = "redirect_loop"
TOO_MANY_REDIRECTS = "too_many_redirects"
ROBOTS = "robots"
# Answers that do not change by asking again soon: judged gone after fewer runs.
_LASTING = ("http_404", "http_410", SIZE_CAP)


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL this request already passed through."""


@dataclass(frozen=True)
class RetryPolicy:
    backoff: timedelta  # wait after the first failed run; doubled after each further one
    backoff_max: timedelta
    gone_after: int  # failed runs before a URL is judged gone
    gone_after_lasting: int  # the same for a 404, 410 or an attachment over the size cap

    @classmethod
    def from_settings(cls, settings) -> RetryPolicy:
        return cls(
            backoff=timedelta(seconds=settings.getfloat("FAILED_RETRY_BACKOFF")),
            backoff_max=timedelta(seconds=settings.getfloat("FAILED_RETRY_BACKOFF_MAX")),
            gone_after=settings.getint("FAILED_GONE_AFTER"),
            gone_after_lasting=settings.getint("FAILED_GONE_AFTER_404"),
        )

    def next_retry(self, failed_at: datetime, runs: int, retry_after: float | None = None) -> datetime:
        """When to ask again after ``runs`` failed runs: the back-off, or the server's Retry-After if later."""
        wait = min(self.backoff * 2 ** max(runs - 1, 0), self.backoff_max)
        if retry_after:
            wait = max(wait, timedelta(seconds=retry_after))
        return failed_at + wait

    def is_gone(self, reason: str, runs: int, lasting: bool = False) -> bool:
        """Judged gone after ``runs`` failed runs; ``lasting``: an answer that will not change (a soft 404)."""
        lasting = lasting or reason in _LASTING
        return runs >= (self.gone_after_lasting if lasting else self.gone_after)


def exception_reason(error: BaseException) -> str:
    """A download's exception as a fetch_failures reason."""
    if isinstance(error, RedirectLoop):
        return REDIRECT_LOOP
    if isinstance(error, HttpError):
        return f"http_{error.response.status}"
    if isinstance(error, IgnoreRequest):
        message = str(error)
        if "redirections" in message:
            return TOO_MANY_REDIRECTS
        return ROBOTS if "robots" in message.lower() else TRANSPORT
    if isinstance(error, DownloadTimeoutError | TwistedTimeoutError):
        return TIMEOUT
    if isinstance(error, ResponseDataLossError):
        return TRUNCATED
    if isinstance(error, DownloadCancelledError) and "max size" in str(error):
        return SIZE_CAP
    return TRANSPORT  # refused, reset, lost, unresolved


def retry_after_seconds(value: bytes | str | None, now: datetime) -> float | None:
    """A Retry-After header in seconds: delay-seconds, or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)
