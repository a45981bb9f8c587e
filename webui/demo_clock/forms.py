"""How far the demo's clock moves forward."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired


class AdvanceForm(FlaskForm):
    days = RadioField(_l("前进"), choices=[SelectChoice("1", _l("1 天")), SelectChoice("7", _l("7 天")),
                                         SelectChoice("30", _l("30 天"))], default="1", validators=[InputRequired()])
