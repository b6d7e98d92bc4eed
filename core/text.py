"""Checks for free text that people type: names, titles, messages.

Used by the models, so the form, the import and the API all apply the same rule.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

# Embeddings, overrides and isolates: they reorder what a reader sees ("Firma\u202egnp.exe" reads "Firmaexe.png").
TEXT_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that take no space: legitimate inside some names (a joiner), but a name of nothing else is empty.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def validate_plain_text(value: str) -> None:
    """Refuse control characters (NUL, escape sequences, line breaks), text direction controls and text that
    is nothing but zero-width characters and spaces: the model runs this for the form, the import and the API.
    NUL gets the message of the form's own check, so each path says the same."""
    ProhibitNullCharactersValidator()(value)
    if any(unicodedata.category(char) == "Cc" or char in TEXT_DIRECTION_CONTROLS for char in value or ""):
        raise ValidationError(_("Control characters and text direction marks are not allowed."), code="invalid")
    if value and not value.strip().strip(ZERO_WIDTH).strip():
        raise ValidationError(_("Enter visible characters."), code="invalid")


LINE_BREAKS = "\n\r\t"


def validate_multiline_text(value: str) -> None:
    """Like ``validate_plain_text``, for text with several lines: line breaks and tabs are allowed."""
    validate_plain_text("".join(" " if char in LINE_BREAKS else char for char in value or ""))
