"""One URL style for the whole API: every path ends with a slash, like the portal's pages."""

from partnerportal.api import api


def test_every_api_path_ends_with_a_slash():
    paths = api.get_openapi_schema()["paths"]
    assert len(paths) > 20
    assert [path for path in paths if not path.endswith("/")] == []
