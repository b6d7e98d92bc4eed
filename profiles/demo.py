"""The demo's partner network: public profiles of both resellers and two open inquiries for Webagentur Beispiel,
so the directory, the public page and Kundenverwaltung → Anfragen have something to show."""

from __future__ import annotations

from typing import Any

from accounts.demo import owner_actor
from accounts.models import Account
from profiles.models import Inquiry, PartnerProfile, Service, join_services
from profiles.services import save_partner_profile

PROFILES: dict[str, dict[str, Any]] = {
    "10001": {
        "display_name": "Webagentur Beispiel",
        "slug": "webagentur-beispiel",
        "description": (
            "Wir gestalten Websites und Online-Shops für kleine Unternehmen in Berlin und Umgebung – "
            "vom ersten Entwurf über Hosting und E-Mail bis zur Pflege im Alltag.\n\n"
            "Persönliche Beratung, feste Ansprechpartner und schnelle Hilfe, wenn es brennt."
        ),
        "services": [Service.WEBDESIGN, Service.HOSTING, Service.EMAIL, Service.ONLINE_SHOP, Service.SUPPORT],
        "postal_code": "10115",
        "city": "Berlin",
        "website": "https://webagentur-beispiel.example",
        "contact_email": "anfragen@webagentur-beispiel.example",
    },
    "10003": {
        "display_name": "Medienhaus Muster",
        "slug": "medienhaus-muster",
        "description": "Suchmaschinenoptimierung, Online-Marketing und Webdesign aus Leipzig.",
        "services": [Service.SEO, Service.MARKETING, Service.WEBDESIGN],
        "postal_code": "04109",
        "city": "Leipzig",
        "website": "https://medienhaus-muster.example",
        "contact_email": "",
    },
}

INQUIRIES: list[dict[str, str]] = [
    {
        "name": "Sabine Krüger",
        "company": "Café Krüger",
        "email": "sabine@cafe-krueger.example",
        "phone": "030 5556677",
        "message": "Guten Tag,\nwir suchen jemanden, der unsere Website neu gestaltet und eine Online-Reservierung "
        "einrichtet. Können Sie uns ein Angebot machen?\n\nViele Grüße\nSabine Krüger",
    },
    {
        "name": "Tobias Engel",
        "company": "",
        "email": "t.engel@example.test",
        "phone": "",
        "message": "Hallo, ich brauche Hosting und zwei E-Mail-Postfächer für meine Fotografen-Website. "
        "Was würde das im Monat kosten?",
    },
]


def load() -> list[tuple[str, str]]:
    for number, values in PROFILES.items():
        account = Account.objects.filter(number=number).first()
        if account is None or PartnerProfile.objects.filter(account=account).exists():
            continue
        fields = {**values, "services": join_services(values["services"])}
        profile = PartnerProfile(is_public=True, **fields)
        save_partner_profile(owner_actor(account), profile)
    reseller = Account.objects.get(number="10001")
    if not Inquiry.objects.filter(account=reseller).exists():
        for values in INQUIRIES:
            Inquiry.objects.create(account=reseller, **values)
    return []
