"""app/web/html_params.py draws exactly what WTForms' html_params draws, and the portal uses it."""

from decimal import Decimal

import pytest

from hypothesis import given, settings, strategies as st
from markupsafe import Markup
from wtforms import widgets
from wtforms.widgets import core

from app.web import html_params as fast

keywords = st.one_of(
    st.sampled_from(["id", "name", "value", "class_", "for_", "type", "data_fse", "aria_describedby",
                     "aria_invalid", "hx_post", "autofocus", "required", "data_total_base", "list"]),
    st.text(alphabet="abcdefghij_-<>\"'&é", min_size=1, max_size=12),
)
values = st.one_of(
    st.booleans(), st.text(max_size=30), st.integers(), st.decimals(allow_nan=False, allow_infinity=False),
    st.text(max_size=20).map(Markup), st.none(), st.just('a "quoted" <b>&amp;</b>'),
    st.just(Markup('déjà "sûr" <i>x</i>')),
)


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(keywords, values, max_size=8))
def test_the_same_attributes_as_wtforms(attributes):
    expected = fast.wtforms_html_params(**attributes)
    drawn = fast.html_params(**attributes)
    assert drawn == expected and type(drawn) is Markup


def test_examples_from_wtforms_documentation():
    assert fast.html_params(data_attr="user.name", aria_labeledby="name") == 'aria-labeledby="name" data-attr="user.name"'
    assert fast.html_params(name="text1", id="f", class_="text") == 'class="text" id="f" name="text1"'
    assert fast.html_params(checked=True, readonly=False, name="text1", abc="hello") == 'abc="hello" checked name="text1"'
    assert fast.html_params(value=Decimal("12.50"), title='5 " <6') == 'title="5 &#34; &lt;6" value="12.50"'


def test_the_portal_draws_its_fields_with_it(app, monkeypatch):
    # Installed by create_app where WTForms looks it up: the widgets, the labels, and the static
    # method of the input widgets (Input and its subclasses keep their own reference).
    assert core.html_params is fast.html_params and widgets.html_params is fast.html_params
    assert core.Input.html_params is fast.html_params and core.Button.html_params is fast.html_params
    assert core.TextInput.html_params is fast.html_params and core.HiddenInput.html_params is fast.html_params
    from app.fse.forms import IdentificationForm

    with app.test_request_context():
        form = IdentificationForm(meta={"csrf": False})
        drawn = form.matricule(inputmode="numeric", required=True)
        assert drawn.startswith("<input ") and 'inputmode="numeric"' in drawn and " required" in drawn
        assert form.matricule.label() == '<label for="matricule">Matricule</label>'
        calls = []
        monkeypatch.setattr(fast, "_attribute", lambda keyword: calls.append(keyword) or keyword)
        form.matricule()
        form.caisse()
        assert "name" in calls and calls.count("id") == 2  # the text input and the select went through it


def test_a_select_asks_for_its_option_function_once_per_class(app, monkeypatch):
    # WTForms 3.3 inspects render_option's signature at each drawing; the answer is kept per class.
    import wtforms.widgets.core as widgets_core
    from app.fse.forms import IdentificationForm

    inspected = []
    real = widgets_core.get_signature
    monkeypatch.setattr(widgets_core, "get_signature", lambda f: inspected.append(f) or real(f))

    class Legacy(widgets_core.Select):  # the pre-3.3 signature still draws, through WTForms' adapter
        @classmethod
        def render_option(cls, value, label, selected, **kwargs):
            return f"<option>{label}</option>"

    with app.test_request_context():
        form = IdentificationForm(meta={"csrf": False})
        first = form.caisse()
        assert form.caisse() == first and 'value="CCSS"' in first
        assert len(inspected) <= 1  # at most once, whichever class came first in this process
        with pytest.deprecated_call():
            legacy = Legacy()(form.caisse)
        assert "<option>CCSS</option><option>CAMTI</option>" in legacy
        Legacy()(form.caisse)
        assert len([f for f in inspected if f.__self__ is Legacy]) == 1


def test_a_fields_flags_are_listed_as_wtforms_lists_them(app):
    from wtforms.fields.core import Flags

    from app.fse.forms import IdentificationForm

    flags = Flags()
    flags.required, flags.maxlength = True, 6
    assert dir(flags) == ["maxlength", "required"]  # dir() sorts; no special names
    assert "required" in flags and "disabled" not in flags and flags.disabled is None
    assert repr(flags) == "<wtforms.fields.Flags: {maxlength=6, required=True}>"
    with app.test_request_context():
        form = IdentificationForm(meta={"csrf": False})
        assert " required" in str(form.matricule())  # DataRequired's flag still reaches the input
