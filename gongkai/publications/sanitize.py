"""HTML clean-up for published bodies (pure, no ORM).

A body is shown to the public as HTML, so everything not on a short allow-list is
removed on save: scripts, styles, event handlers, images, iframes, forms, `javascript:`
links. Links keep only http, https and mailto targets and always get
rel="noopener noreferrer nofollow". Text fields that are not HTML (title, 文号, …) are
stored as typed and escaped by the templates; `plain()` strips control characters.
"""

import html
import re

import nh3

TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "a",
        "table",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
    }
)
ATTRIBUTES = {"a": {"href"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# tags whose content is dropped with the tag (a stripped <script> must not leave its code)
DROP_WITH_CONTENT = frozenset({"script", "style", "noscript", "iframe", "object", "template"})

# Spellings of kept tags that Word, WPS and the browser's own editing commands write:
# renamed before cleaning so that their structure survives (a Word "标题 1" is an <h1>;
# the item's title is the page's h1, so body headings start at h2).
RENAMED = {"b": "strong", "i": "em", "h1": "h2", "h5": "h4", "h6": "h4"}
_RENAMED_TAG = re.compile(r"<(/?)(b|i|h1|h5|h6)(?=[\s/>])", re.IGNORECASE)

MAX_PASSES = 4  # clean_body: passes until the markup is stable (two, nearly always)
_TAG = re.compile(r"<[^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_body(body):
    """The allow-listed form of `body` (idempotent: clean_body(clean_body(x)) == clean_body(x)).

    Cleaned again until nothing changes: a tree the parser built from broken markup
    (say a heading inside a heading) is written out as markup that parses into another
    tree, so one pass is not always the last (found by test_sanitize)."""
    if not body:
        return ""
    text = _CONTROL.sub("", str(body))
    for _ in range(MAX_PASSES):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    return cleaned


def _rename(match):
    return f"<{match.group(1)}{RENAMED[match.group(2).lower()]}"


def _clean_once(text):
    return nh3.clean(
        _RENAMED_TAG.sub(_rename, text),
        tags=set(TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_attribute_filter,
    ).strip()


def _attribute_filter(tag, attribute, value):
    """colspan/rowspan only as small numbers; other allowed attributes as they are."""
    if attribute in ("colspan", "rowspan"):
        return value if value.isascii() and value.isdigit() and 0 < int(value) <= 1000 else None
    return value


def plain(text):
    """A one-line text field as stored: control characters removed, ends trimmed."""
    return _CONTROL.sub("", str(text or "")).strip()


def text_of(body):
    """The visible text of a cleaned body (for search snippets and summaries)."""
    markup = clean_body(body)  # well-formed after cleaning, so tags can be cut by pattern
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())
