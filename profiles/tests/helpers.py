"""Profiles and inquiries for the tests of the partner network's public face."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from profiles.models import Inquiry, PartnerProfile


def make_profile(tenant, slug, **fields) -> PartnerProfile:
    values = {
        "display_name": f"{tenant.account.name} Profil",
        "is_public": True,
        "services": "webdesign,hosting",
        "postal_code": "10115",
        "city": "Berlin",
        "description": "Websites und Hosting.",
        "contact_email": f"{slug}@partner.test",
        **fields,
    }
    return PartnerProfile.objects.create(account=tenant.account, slug=slug, **values)


def make_inquiry(tenant, name="Ina Interessent", **fields) -> Inquiry:
    values = {
        "company": "Interessent GmbH",
        "email": "ina@interessent.test",
        "phone": "030 9876543",
        "message": "Bitte um ein Angebot.",
        **fields,
    }
    return Inquiry.objects.create(account=tenant.account, name=name, **values)


def png_upload(name="logo.png", size=(40, 20)) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


INQUIRY_POST = {
    "name": "Paula Prospekt",
    "company": "Prospekt KG",
    "email": "paula@prospekt.test",
    "phone": "0171 2223334",
    "message": "Wir brauchen einen Online-Shop.\nWann können wir sprechen?",
    "homepage": "",
}
