import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.publications.sanitize import clean_body, plain, text_of

TAGS = [
    "p",
    "script",
    "a",
    "img",
    "style",
    "iframe",
    "svg",
    "table",
    "td",
    "h1",
    "h2",
    "b",
    "i",
    "math",
]
ATTRS = ["href", "src", "onclick", "onerror", "style", "colspan", "class", "id"]
VALUES = ["javascript:alert(1)", "https://example.org/", "mailto:a@b.cn", "data:text/html,x", "1"]

fragment = st.recursive(
    st.text(alphabet="春节通告<>&\"' =/:", max_size=8),
    lambda inner: st.builds(
        lambda tag, attr, value, body: f'<{tag} {attr}="{value}">{body}</{tag}>',
        st.sampled_from(TAGS),
        st.sampled_from(ATTRS),
        st.sampled_from(VALUES),
        inner,
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(fragment, max_size=4).map("".join))
def test_clean_body_is_safe_and_idempotent(html):
    out = clean_body(html)
    assert clean_body(out) == out
    lower = out.lower()
    assert "<script" not in lower and "<iframe" not in lower and "<img" not in lower
    assert "<style" not in lower and "<svg" not in lower
    assert not re.search(r"\son\w+\s*=", lower)
    assert "javascript:" not in lower and "data:" not in lower
    assert "style=" not in lower and "class=" not in lower


def test_allowed_markup_is_kept():
    html = (
        "<h2>标题</h2><p>正文<strong>加粗</strong><em>斜体</em><br></p><ul><li>一</li></ul>"
        '<ol><li>二</li></ol><table><thead><tr><th colspan="2">表头</th></tr></thead>'
        '<tbody><tr><td rowspan="1">格</td></tr></tbody></table>'
        '<a href="https://www.gov.cn/">政府网</a><a href="mailto:gk@example.cn">邮件</a>'
    )
    out = clean_body(html)
    for piece in ("<h2>", "<strong>", "<em>", "<br>", "<ul>", "<ol>", 'colspan="2"', "<th"):
        assert piece in out
    assert '<a href="https://www.gov.cn/" rel="noopener noreferrer nofollow">' in out
    assert 'href="mailto:gk@example.cn"' in out


def test_script_content_is_dropped_not_shown():
    assert clean_body("<p>a</p><script>alert('x')</script><style>p{}</style>") == "<p>a</p>"


def test_plain_and_text_of():
    assert plain(" 标题\x00\x07 ") == "标题"
    assert plain("第一行\n第二行") == "第一行\n第二行"
    assert text_of("<p>a &amp; b</p><p>c</p>") == "a & b c"


def test_broken_markup_that_reparses_differently_is_cleaned_to_a_fixed_point():
    """Found by the property test above: one nh3 pass wrote a heading inside a heading,
    which the next pass took apart."""
    html = (
        '<h2 href="javascript:alert(1)"></</h2>'
        '<table href="javascript:alert(1)"><h2 href="javascript:alert(1)"></h2></table>'
    )
    out = clean_body(html)
    assert clean_body(out) == out
    assert "javascript" not in out


# What Word (and WPS) put on the clipboard: mso classes and styles, <o:p>, spans,
# conditional comments, a Heading 1, bold as <b>.
WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta name=ProgId content=Word.Document><style><!-- p.MsoNormal {mso-style-parent:""} --></style>
</head><body lang=ZH-CN><!--StartFragment-->
<h1 class=MsoTitle><span lang=EN-US style='font-family:黑体'>一、适用范围<o:p></o:p></span></h1>
<p class=MsoNormal style='text-indent:2em;mso-char-indent-count:2'><b>春节期间</b><span
style='font-family:仿宋_GB2312'>城区禁止燃放烟花爆竹。<o:p></o:p></span></p>
<![if !supportLists]><p class=MsoListParagraph>第一条<o:p></o:p></p><![endif]>
<table class=MsoTableGrid border=1 style='border-collapse:collapse'><tr>
<td width=100 valign=top style='width:75pt'><p class=MsoNormal>区域<o:p></o:p></p></td>
<td colspan=2><p class=MsoNormal>时段<o:p></o:p></p></td></tr></table>
<!--EndFragment--></body></html>"""


def test_word_html_keeps_headings_paragraphs_bold_and_tables():
    out = clean_body(WORD_HTML)
    assert "<h2>一、适用范围</h2>" in out  # Heading 1 becomes the body's first level
    assert "<p><strong>春节期间</strong>城区禁止燃放烟花爆竹。</p>" in out
    assert "<p>第一条</p>" in out
    assert '<td><p>区域</p></td>\n<td colspan="2"><p>时段</p></td>' in out
    for junk in ("Mso", "mso-", "o:p", "style", "font-family", "<span", "<!--", "ProgId"):
        assert junk not in out
