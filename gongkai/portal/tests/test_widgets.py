"""The catalogue form's widgets written out without the template engine (forms.py):
the same elements, attributes and text as Django's own widgets, values escaped."""

from html.parser import HTMLParser

import pytest
from django import forms

from gongkai.portal.forms import CatalogueForm, PlainDateInput, PlainSelect, PlainTextInput

CHOICES = [("", "全部"), ("traffic", "交通"), ('a"b', "<引号>"), ("x&y", "甲&乙")]
VALUES = [None, "", "traffic", 'a"b', "x&y", "<script>alert(1)</script>", "不在列表"]


class _Tree(HTMLParser):
    """Elements (tag, sorted attributes) and non-blank text, in document order."""

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.items = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, sorted(attrs)))

    def handle_endtag(self, tag):
        self.items.append(("/" + tag,))

    def handle_data(self, data):
        if data.strip():
            self.items.append(("text", data.strip()))


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize(
    ("plain", "stock"),
    [
        (PlainSelect(choices=CHOICES), forms.Select(choices=CHOICES)),
        (PlainTextInput(attrs={"type": "search"}), forms.TextInput(attrs={"type": "search"})),
        (
            PlainTextInput(attrs={"list": "l", "x": True}),
            forms.TextInput(attrs={"list": "l", "x": True}),
        ),
        (PlainDateInput(attrs={"type": "date"}), forms.DateInput(attrs={"type": "date"})),
    ],
)
def test_same_markup_as_django(plain, stock, value):
    attrs = {"id": "id_f", "aria-describedby": "id_f_helptext", "off": False}
    ours, django = plain.render("f", value, attrs), stock.render("f", value, attrs)
    assert _Tree(ours).items == _Tree(django).items
    assert "<script>" not in ours


def test_catalogue_form_marks_the_chosen_options():
    form = CatalogueForm({"topic": "traffic", "q": '"><b>户籍'})
    html = str(form["topic"]) + str(form["q"])
    assert '<option value="traffic" selected>交通</option>' in html
    assert html.count("selected") == 1
    assert '<input type="search" name="q" value="&quot;&gt;&lt;b&gt;户籍"' in html
