"""Forms for creating users and changing their roles."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "policy_admin": _l("Policy administrator"),
    "clinician": _l("Clinician"),
    "compliance": _l("Compliance officer"),
}


class RoleChoices(SelectMultipleField):
    """Roles as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _role_field() -> RoleChoices:
    try:  # WTForms >= 3.3 deprecates (value, label) tuples
        from wtforms import SelectChoice

        choices: list = [SelectChoice(value, label) for value, label in ROLE_LABELS.items()]
    except ImportError:
        choices = list(ROLE_LABELS.items())
    return RoleChoices(_l("Roles"), choices=choices)


class UserCreateForm(FlaskForm):
    """A new account: username, display name, first password, roles."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Display name"), validators=[Length(max=128)])
    password = PasswordField(_l("First password"), validators=[DataRequired(), Length(max=256)])
    roles = _role_field()


class RolesForm(FlaskForm):
    """The roles a user holds."""

    roles = _role_field()


class ActionForm(FlaskForm):
    """A button that changes something (carries only the CSRF token)."""
