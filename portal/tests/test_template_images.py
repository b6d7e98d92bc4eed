"""Logo, icon and favicon: judged by content, decoded and written anew, served as exactly that (IV-03)."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from core.images import MAX_BYTES, clean_image
from portal.tests.template_fixtures import image_bytes, png_declaring, upload

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><foreignObject></foreignObject></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def test_a_png_is_written_anew_as_a_png():
    cleaned = clean_image(upload(image_bytes()), "logo")
    assert cleaned.name == "logo.png"
    with Image.open(BytesIO(cleaned.read())) as image:
        assert (image.format, image.size) == ("PNG", (40, 20))


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (SVG, "logo.svg", "image/svg+xml"),
        (SVG, "logo.png", "image/png"),
        (HTML, "logo.png", "image/png"),
        (HTML, "logo.html", "text/html"),
        (b"GIF89a" + b"\x00" * 40, "logo.gif", "image/gif"),
        (image_bytes("GIF"), "logo.gif", "image/gif"),
        (image_bytes()[:60], "logo.png", "image/png"),
        (b"", "logo.png", "image/png"),
    ],
)
def test_anything_but_png_jpeg_and_webp_is_refused_whatever_its_name(data, name, content_type):
    with pytest.raises(ValidationError) as refused:
        clean_image(upload(data, name, content_type), "logo")
    assert "Please upload a PNG, JPEG or WebP image" in refused.value.messages[0]


def test_an_ico_is_a_favicon_only():
    ico = image_bytes("ICO", size=(64, 64))
    assert clean_image(upload(ico, "favicon.ico", "image/x-icon"), "favicon").name == "favicon.ico"
    with pytest.raises(ValidationError):
        clean_image(upload(ico, "logo.ico", "image/x-icon"), "logo")


def test_a_png_html_polyglot_keeps_only_its_pixels():
    polyglot = image_bytes() + HTML
    cleaned = clean_image(upload(polyglot), "logo").read()
    assert b"<script" not in cleaned and b"<html" not in cleaned
    assert Image.open(BytesIO(cleaned)).size == (40, 20)


def test_exif_with_gps_is_not_kept():
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 0.0)}  # GPSInfo
    exif[0x010E] = "ZZ-EXIF-MARKER"  # ImageDescription
    jpeg = image_bytes("JPEG", exif=exif.tobytes())
    assert b"ZZ-EXIF-MARKER" in jpeg
    cleaned = clean_image(upload(jpeg, "photo.jpg", "image/jpeg"), "logo")
    data = cleaned.read()
    assert cleaned.name == "logo.jpg"
    assert b"ZZ-EXIF-MARKER" not in data
    assert dict(Image.open(BytesIO(data)).getexif()) == {}


def test_a_decompression_bomb_is_refused_with_a_message_before_decoding():
    with pytest.raises(ValidationError) as refused:
        clean_image(upload(png_declaring(100_000, 100_000)), "logo")
    assert refused.value.messages == ["The image is larger than 4096 × 4096 pixels. Please upload a smaller image."]


def test_an_image_wider_than_the_limit_is_refused():
    with pytest.raises(ValidationError, match="4096"):
        clean_image(upload(image_bytes(size=(5000, 2))), "logo")


def test_a_file_over_the_byte_limit_is_refused():
    with pytest.raises(ValidationError) as refused:
        clean_image(upload(image_bytes() + b"\x00" * MAX_BYTES), "logo")
    assert refused.value.messages == ["The image is larger than 2.0\xa0MB. Please upload a smaller file."]


def test_an_ico_with_many_images_is_capped_to_a_few_sizes():
    big = Image.new("RGBA", (256, 256), (0, 0, 255, 255))
    out = BytesIO()
    big.save(out, format="ICO", sizes=[(size, size) for size in (16, 24, 32, 48, 64, 128, 256)])
    cleaned = clean_image(upload(out.getvalue(), "favicon.ico", "image/x-icon"), "favicon").read()
    with Image.open(BytesIO(cleaned)) as icon:
        assert max(icon.info["sizes"]) == (64, 64)
