"""The administrator's forms: an account's profile, a new account, and the buttons (CSRF only)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from engine.features.accounts.users import USERNAME_HELP
from webui.extensions import engine
from webui.i18n import lazy, translated


class ButtonForm(FlaskForm):
    """A POST button: no fields, only the CSRF token."""


class ProfileForm(FlaskForm):
    """An account's profile (the engine checks it again: the role and the unit a unit role needs)."""

    display_name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=100)])
    title = StringField(_l("职务"), validators=[Optional(), Length(max=100)],
                        description=_l("如：副市长（牵头市领导须填写）"))
    role = SelectField(_l("角色"), validators=[DataRequired()])
    unit = SelectField(_l("所属单位"), validators=[Optional()], description=_l("责任单位的角色必须选择所属单位"))

    def fill_choices(self) -> None:
        roles = engine().roles
        self.role.choices = [(code, translated(spec.name)) for code, spec in roles.roles.items()]
        self.unit.choices = [("", _("（无）")), *engine().unit_choices()]


class NewUserForm(ProfileForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)], description=lazy(USERNAME_HELP))
    field_order = ("username", "display_name", "title", "role", "unit")
