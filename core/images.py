"""Uploaded images (a portal template's logo, icon and favicon; a partner profile's logo): hostile until Pillow has
decoded them and written them anew.

What a reseller uploads is shown on pages of other people (the end customers' login page), so it is
judged by its content, never by its name or the browser's content type (SECURITY-TESTS IV-03): only
PNG, JPEG and WebP (and ICO for the favicon) that Pillow can decode within a byte and a pixel limit.
The stored file is Pillow's own re-encoding of the decoded pixels: no metadata (EXIF, GPS, text
chunks), nothing appended (a PNG+HTML polyglot loses its HTML), one frame, at most a few ICO sizes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4096
ICO_SIZES = [(16, 16), (32, 32), (48, 48), (64, 64)]
KINDS = ("logo", "icon", "favicon")


@dataclass(frozen=True)
class ImageFormat:
    content_type: str
    suffix: str


FORMATS = {
    "PNG": ImageFormat("image/png", ".png"),
    "JPEG": ImageFormat("image/jpeg", ".jpg"),
    "WEBP": ImageFormat("image/webp", ".webp"),
    "ICO": ImageFormat("image/x-icon", ".ico"),
}
CONTENT_TYPES = {image_format.suffix: image_format.content_type for image_format in FORMATS.values()}

NOT_AN_IMAGE = _("Please upload a PNG, JPEG or WebP image. Other files (such as SVG or HTML) are not accepted.")
NOT_AN_IMAGE_OR_ICO = _(
    "Please upload a PNG, JPEG, WebP or ICO image. Other files (such as SVG or HTML) are not accepted."
)
TOO_MANY_BYTES = _("The image is larger than %(size)s. Please upload a smaller file.")
TOO_MANY_PIXELS = _("The image is larger than %(side)d × %(side)d pixels. Please upload a smaller image.")


def accepted_formats(kind: str) -> tuple[str, ...]:
    return ("PNG", "JPEG", "WEBP", "ICO") if kind == "favicon" else ("PNG", "JPEG", "WEBP")


def clean_image(upload: UploadedFile[Any], kind: str) -> ContentFile[bytes]:
    """The upload re-encoded as a new file named ``<kind><suffix>``, or a ``ValidationError`` in words."""
    formats = accepted_formats(kind)
    refused = NOT_AN_IMAGE_OR_ICO if "ICO" in formats else NOT_AN_IMAGE
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(TOO_MANY_BYTES, code="too_large", params={"size": filesizeformat(MAX_BYTES)})
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(TOO_MANY_BYTES, code="too_large", params={"size": filesizeformat(MAX_BYTES)})
    too_many_pixels = ValidationError(TOO_MANY_PIXELS, code="too_many_pixels", params={"side": MAX_SIDE})
    with warnings.catch_warnings():
        # Pillow only warns about an image above its own pixel limit; here that is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # Opening reads the header only: the size is known before any pixel is decoded.
            with Image.open(BytesIO(data), formats=formats) as probe:
                if max(probe.size) > MAX_SIDE:
                    raise too_many_pixels
                probe.verify()
            with Image.open(BytesIO(data), formats=formats) as image:
                source_format = image.format or ""
                if max(image.size) > MAX_SIDE:
                    raise too_many_pixels
                image.load()
                if max(image.size) > MAX_SIDE:
                    raise too_many_pixels
                encoded, image_format = reencode(image, source_format)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError):
            # Pillow's decoders report a broken or foreign file with any of these.
            raise ValidationError(refused, code="invalid_image") from None
    return ContentFile(encoded, name=f"{kind}{image_format.suffix}")


def reencode(image: Image.Image, source_format: str) -> tuple[bytes, ImageFormat]:
    """The decoded pixels, written anew in the upload's format; nothing of the original file but the pixels."""
    if source_format not in FORMATS:
        raise ValueError(source_format)
    image_format = FORMATS[source_format]
    pixels = image.convert("RGB" if source_format == "JPEG" else "RGBA")
    # A fresh image of the pixels alone: no EXIF, ICC profile, text chunks or comments come along.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = BytesIO()
    if source_format == "JPEG":
        clean.save(out, format="JPEG", quality=90)
    elif source_format == "WEBP":
        clean.save(out, format="WEBP", quality=90)
    elif source_format == "ICO":
        sizes = [size for size in ICO_SIZES if size[0] <= clean.width and size[1] <= clean.height] or [clean.size]
        clean.save(out, format="ICO", sizes=sizes)
    else:
        clean.save(out, format="PNG", optimize=True)
    return out.getvalue(), image_format
