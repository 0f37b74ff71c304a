"""app/web/fields.py's draw_field draws what the Jinja `field` macro drew before it (kept here as the
reference), for every combination of hint, mandatory mark, errors, autofocus and attributes."""

from itertools import product

import pytest
from markupsafe import Markup
from wtforms import Form, IntegerField, SelectField, StringField

from app.web.fields import choices, draw_field

REFERENCE = """{% macro field(f, hint=None, mandatory=False) -%}
<div class="field{% if f.errors %} field-invalid{% endif %}">
  {% if mandatory %}<label for="{{ f.id }}">{{ f.label.text }}<span class="mandatory" aria-hidden="true"> *</span></label>{% else %}{{ f.label() }}{% endif %}
  {% if hint %}<p class="hint" id="{{ f.id }}-aide">{{ hint }}</p>{% endif %}
  {% set described = ([f.id ~ '-aide'] if hint else []) + ([f.id ~ '-erreur'] if f.errors else []) %}
  {% set attrs = dict(kwargs) %}
  {% if f.errors %}{% set _ = attrs.update({'aria-invalid': 'true'}) %}{% endif %}
  {% if mandatory %}{% set _ = attrs.update({'aria-required': 'true'}) %}{% endif %}
  {% if autofocus_id is defined and autofocus_id == f.id %}{% set _ = attrs.update({'autofocus': True}) %}{% endif %}
  {% if described %}{% set _ = attrs.update({'aria-describedby': described|join(' ')}) %}{% endif %}
  {{ f(**attrs) }}
  {% if f.errors %}
  <p class="field-error" id="{{ f.id }}-erreur">{{ f.errors|join(' ') }}</p>
  {% endif %}
</div>
{%- endmacro %}"""


class Sample(Form):
    nom = StringField("Nom <du> patient")
    montant = IntegerField("Montant")
    caisse = SelectField("Caisse", choices=choices([("CCSS", "CCSS"), ("CAMTI", "CAMTI & co")]))


def normalised(html: str) -> str:
    """The macro's blank lines and indentation are not part of what a browser reads."""
    return " ".join(html.split()).replace("> <", "><")


@pytest.mark.parametrize("name, hint, mandatory, errors, focused, attributes", [
    (name, hint, mandatory, errors, focused, attributes)
    for name, hint, mandatory, errors, focused, attributes in product(
        ["nom", "montant", "caisse"], [None, "jj/mm/aaaa", Markup("<b>6</b> chiffres")], [False, True],
        [[], ["Saisissez <un> montant."], ["Trop long.", Markup("<em>Voir</em> l'aide.")]], [False, True],
        [{}, {"inputmode": "numeric", "maxlength": "6", "required": True}, {"autofocus": False, "class_": "x"}])
])
def test_the_same_html_as_the_macro(app, name, hint, mandatory, errors, focused, attributes):
    form = Sample(data={"nom": 'Rossi "Jr" <b>', "montant": 12, "caisse": "CAMTI"})
    f = form[name]
    f.errors = list(errors)
    focus = f.id if focused else "ailleurs"
    with app.test_request_context():
        macro = app.jinja_env.from_string(REFERENCE + "{{ field(f, hint, mandatory, **attributes) }}")
        expected = macro.render(f=f, hint=hint, mandatory=mandatory, attributes=attributes, autofocus_id=focus)
        drawn = draw_field(f, hint, mandatory, focus, attributes)
    assert type(drawn) is Markup
    assert normalised(drawn) == normalised(expected)


def test_the_templates_field_draws_with_it(app):
    """`field` is a global of every template: no import; it reads the page's autofocus_id, in an
    included file and in an imported macro's body too (code_field)."""
    form = Sample()
    form.montant.errors = ["Montant invalide."]
    with app.test_request_context():
        page = app.jinja_env.from_string('{{ field(f, "en euros", True, inputmode="decimal") }}')
        drawn = page.render(f=form.montant, autofocus_id="montant")
        unfocused = page.render(f=form.montant)
        in_macro = app.jinja_env.from_string('{% from "_macros/forms.html" import code_field %}{{ code_field(f) }}'
                                             ).render(f=form.montant)
    assert normalised(drawn) == normalised(draw_field(form.montant, "en euros", True, "montant", {"inputmode": "decimal"}))
    assert 'aria-describedby="montant-aide montant-erreur"' in drawn and " autofocus " in drawn
    assert " autofocus" not in unfocused
    assert 'autocomplete="one-time-code"' in in_macro and " autofocus" in in_macro and " required" in in_macro
