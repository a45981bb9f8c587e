"""The monthly entry of the indicators' values: the month here, one value and note per indicator as value_<id>,
note_<id> (the engine reads and checks them all)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class ValuesForm(FlaskForm):
    period = StringField(_l("月份"), validators=[DataRequired(), Length(max=7)])
