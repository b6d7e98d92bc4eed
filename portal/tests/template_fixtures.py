"""Portal templates and images for the tests of the reseller's pages, uploads and API."""

import struct
import zlib
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.models import PortalTemplate

STORED_PASSWORD = "ZZ-STORED-SMTP-PASSWORD"


def make_template(account, host, **fields):
    values = {
        "portal_url": f"https://{host}",
        "title": f"{host} Kundenportal",
        "portal_name": f"{host} Portal",
        "portal_name_2": "Kundenportal",
        "mail_host": "127.0.0.1",
        "mail_port": 2525,
        "mail_security": PortalTemplate.MailSecurity.NONE,
        "mail_username": "mailer",
        "mail_password": STORED_PASSWORD,
        "mail_from": f"portal@{host}",
        "mail_from_name": "Agentur",
        **fields,
    }
    return PortalTemplate.objects.create(account=account, **values)


def image_bytes(fmt="PNG", size=(40, 20), colour=(200, 30, 30), **save):
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt, **save)
    return out.getvalue()


def upload(data, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_declaring(width, height):
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb's header)."""
    data = bytearray(image_bytes(size=(1, 1)))
    # The IHDR chunk starts after the 8-byte signature: length (4), type (4), width (4), height (4), ...
    data[16:24] = struct.pack(">II", width, height)
    header = bytes(data[12:29])
    data[29:33] = struct.pack(">I", zlib.crc32(header) & 0xFFFFFFFF)
    return bytes(data)
