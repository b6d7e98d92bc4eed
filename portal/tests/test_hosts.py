import pytest
from django.core.exceptions import ValidationError

from portal.hosts import split_portal_url


@pytest.mark.parametrize(
    ("given", "url", "host"),
    [
        ("https://Kunden.Example.DE/", "https://kunden.example.de", "kunden.example.de"),
        ("https://kunden.example.de:443", "https://kunden.example.de", "kunden.example.de"),
        (
            "http://kunden.webagentur.localhost:8000/",
            "http://kunden.webagentur.localhost:8000",
            "kunden.webagentur.localhost",
        ),
        ("https://bücher.example.de.", "https://xn--bcher-kva.example.de", "xn--bcher-kva.example.de"),
    ],
)
def test_a_portal_url_has_one_canonical_form_and_host(given, url, host):
    assert split_portal_url(given) == (url, host)


@pytest.mark.parametrize(
    "given",
    [
        "",
        "kunden.example.de",
        "ftp://kunden.example.de",
        "https://kunden.example.de/portal",
        "https://kunden.example.de/?a=1",
        "https://user:pw@kunden.example.de",
        "https://127.0.0.1",
        "https://[::1]",
        "https://localhost",
        "https://kunden example.de",
        "https://kunden.example.de:99999",
        "javascript:alert(1)",
    ],
)
def test_anything_but_a_host_name_url_is_a_field_error(given):
    with pytest.raises(ValidationError):
        split_portal_url(given)
