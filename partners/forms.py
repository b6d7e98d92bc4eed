from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin


class ScopeForm(BootstrapFormMixin, forms.Form):
    """Vollzugriff, or Teilzugriff with per product "technisch" (manage it) and/or "Statistik" (see its data)."""

    full = forms.TypedChoiceField(
        label=_("Access"),
        choices=[("1", _("Full access")), ("0", _("Partial access"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )

    def __init__(self, *args: Any, categories: list[Any], rights: dict[Any, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rights = rights or {}
        self.categories = categories
        for category in categories:
            for obj in category.objects:
                right = rights.get((category.product, obj.pk))
                for kind in ("technical", "statistics"):
                    self.fields[f"{kind}-{category.product}-{obj.pk}"] = forms.BooleanField(
                        required=False, initial=bool(right and getattr(right, kind)), label=str(obj)
                    )

    def rows(self) -> list[tuple[Any, list[Any]]]:
        """Per category its label and, per product, the product and its two boxes: for the template."""
        return [
            (
                category.label,
                [
                    (
                        obj,
                        self[f"technical-{category.product}-{obj.pk}"],
                        self[f"statistics-{category.product}-{obj.pk}"],
                    )
                    for obj in category.objects
                ],
            )
            for category in self.categories
        ]
