"""Not every 200 is a document: error pages and web-application-firewall challenges, recognised.

Portals answer 「页面不存在」 or 「系统繁忙，请稍后再试」 with status 200, and firewalls answer with a
JavaScript challenge page (加速乐's ``__jsl_clearance`` cookie script, 瑞数's ``$_ts`` bootstrap), at 200
or as 412/521 (portal-patterns.md §I). Such a page is never a report: the crawl records its fetch as
``error_page`` or ``blocked``, keeps none of it as a document, and asks for the URL again on a later run.
A challenge is never answered: a blocked site is reported blocked.

Pure functions of a response's status and decoded text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ERROR_PAGE = "error_page"
BLOCKED = "blocked"

# Firewall challenge bootstraps, by what their pages carry.
_CHALLENGES = (
    ("加速乐 __jsl_clearance", re.compile(r"__jsl_clearance|__jsluid|_\$jsl|jsl_clearance_s")),
    ("瑞数 $_ts", re.compile(r"\$_ts\s*=|\$_ts\[|window\.\$_ts")),
    ("Cloudflare challenge", re.compile(r"cf-chl-|challenge-platform|cf_chl_opt")),
    ("安全狗", re.compile(r"safedog|安全狗")),
    ("云锁", re.compile(r"yunsuo_session|云锁")),
    ("创宇盾", re.compile(r"创宇盾|jiasule|yunaq")),
    ("阿里云 WAF", re.compile(r"aliyun_waf|_waf_bd8ce2ce37")),
)
# Statuses only firewalls use for their challenges (瑞数 412, 加速乐 521).
_CHALLENGE_STATUSES = {412, 521}
# 加速乐's first answer spells its cookie's name in pieces: ('_')+('_')+('j')+… then reloads the page.
_COOKIE_SCRIPT = re.compile(r"document\.cookie\s*=.{0,4000}?location", re.DOTALL)
# What error pages say. A report's own text is long; an error page is a sentence in the site's chrome.
_ERROR_PHRASES = re.compile(
    r"页面不存在|您访问的页面不存在|您所访问的页面不存在|页面未找到|找不到(?:该|您要访问的)?页面|"
    r"页面已删除|信息已删除|文章已删除|该信息不存在|内容不存在|链接已失效|"
    r"系统繁忙|服务器繁忙|请稍后再试|访问过于频繁|访问受限|"
    r"\b404\s*(?:Not Found|错误|页面)|Page Not Found|File Not Found"
)
_BUSY = re.compile(r"繁忙|稍后再试|频繁")
_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.IGNORECASE | re.DOTALL)
# Visible text longer than this is a page with content, whatever it also says.
_ERROR_PAGE_MAX_TEXT = 600
_CHALLENGE_MAX_TEXT = 400


@dataclass(frozen=True)
class Verdict:
    """Why a response is not the document it was asked for."""

    reason: str  # error_page | blocked
    detail: str  # what gave it away: 「页面不存在」, 「加速乐 __jsl_clearance」 …
    transient: bool = True  # 「系统繁忙」 clears; 「页面不存在」 may be a page not yet published, or gone


def page_verdict(status: int, text: str | None) -> Verdict | None:
    """The verdict on a response (``text``: its decoded body, None when it is not text), or None when it is
    what it seems: a page, a file, or an HTTP error that says so itself."""
    if text is None:
        if status in _CHALLENGE_STATUSES:
            return Verdict(BLOCKED, f"HTTP {status} with no content")
        return None
    visible = visible_text(text)
    for name, marker in _CHALLENGES:
        if marker.search(text) and len(visible) <= _CHALLENGE_MAX_TEXT:
            return Verdict(BLOCKED, name)
    if status in _CHALLENGE_STATUSES:
        return Verdict(BLOCKED, f"HTTP {status} challenge")
    if status != 200:
        return None
    if not visible and _COOKIE_SCRIPT.search(text):
        return Verdict(BLOCKED, "a cookie-setting script and a reload, nothing else")
    if len(visible) <= _ERROR_PAGE_MAX_TEXT and (match := _ERROR_PHRASES.search(visible)):
        return Verdict(ERROR_PAGE, match.group(0), transient=bool(_BUSY.search(match.group(0))))
    return None


def visible_text(html: str) -> str:
    """What a reader sees of a page: its text without markup, scripts or styles, spaces squeezed."""
    return " ".join(_TAGS.sub(" ", html).split())
