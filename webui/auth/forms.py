"""The forms of logging in and changing one's password (the engine checks the password policy)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from engine.features.accounts.users import MAX_PASSWORD_LENGTH, PASSWORD_HELP
from webui.i18n import lazy


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    password = PasswordField(_l("新密码"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
                             description=lazy(PASSWORD_HELP))
    confirm = PasswordField(_l("再次输入新密码"), validators=[
        DataRequired(), EqualTo("password", message=_l("两次输入的新密码不一致"))])
