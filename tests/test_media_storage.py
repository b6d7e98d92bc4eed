"""Uploads go through Django's storage API only (issue #22), so a provider can keep them in an S3-compatible
bucket shared by several web machines (docs/operations.md, "Uploaded files")."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import InMemoryStorage, Storage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import login
from customers.models import CustomerImport, EndCustomer
from portal.tests.template_fixtures import image_bytes, make_template, upload
from portal.tests.test_template_pages import edit_url, form_data

ROOT = Path(__file__).resolve().parent.parent


class NoLocalPathStorage(Storage):
    """Django's InMemoryStorage behind the storage API alone: like S3, it has no local paths (``path()`` raises
    NotImplementedError, Storage's default), so code that asks for one fails here. Remembers what was saved."""

    def __init__(self):
        self.memory = InMemoryStorage()
        self.saved = []

    def _open(self, name, mode="rb"):
        return self.memory.open(name, mode)

    def _save(self, name, content):
        self.saved.append(self.memory.save(name, content))
        return self.saved[-1]

    def delete(self, name):
        self.memory.delete(name)

    def exists(self, name):
        return self.memory.exists(name)

    def listdir(self, path):
        return self.memory.listdir(path)

    def size(self, name):
        return self.memory.size(name)

    def url(self, name):
        return self.memory.url(name)


@pytest.fixture
def remote_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.NoLocalPathStorage"}}
    assert isinstance(default_storage, NoLocalPathStorage)
    return default_storage


@pytest.mark.django_db
def test_a_customer_import_runs_from_upload_to_customers_on_a_storage_without_local_paths(
    world, remote_storage, django_capture_on_commit_callbacks
):
    client = login(Client(), world.r1.owner)
    csv = (
        "Kundennummer;Nachname;Vorname;Straße;PLZ;Ort;Telefon;Mobil;E-Mail\n"
        "S-1;Speicher;Sina;Weg 1;10115;Berlin;030 1234567;0170 1234567;s-1@example.test\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/customers/import/", {"file": SimpleUploadedFile("kunden.csv", csv.encode(), "text/csv")})
    job = CustomerImport.objects.get()
    assert job.status == "uploaded"
    mapping = {field: "" if index is None else str(index) for field, index in job.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/customers/import/{job.pk}/", mapping)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/customers/import/{job.pk}/run/", {"only_valid": ""})
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 1)
    # unrestricted: the test looks at what the import created
    assert EndCustomer.objects.get(number="S-1").account == world.r1.account
    # The upload was kept in the storage until the task had read it, then deleted.
    [kept] = remote_storage.saved
    assert not remote_storage.exists(kept) and not job.source


@pytest.mark.django_db
def test_a_portal_template_logo_is_stored_and_served_from_a_storage_without_local_paths(world, remote_storage):
    template = make_template(world.r1.account, "kunden.r1-agentur.test")
    client = login(Client(), world.r1.owner)
    response = client.post(edit_url(template), form_data(template, logo=upload(image_bytes(), name="logo.png")))
    assert response.status_code == 302
    template.refresh_from_db()
    assert remote_storage.saved == [template.logo.name] and remote_storage.exists(template.logo.name)
    served = Client().get(template.image_url("logo"))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == remote_storage.open(template.logo.name).read()


def storages_from(environment):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from partnerportal import settings; print(json.dumps(settings.STORAGES['default']))",
        ],
        cwd=ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result


def test_media_storage_s3_selects_django_storages_with_the_bucket_from_the_environment():
    result = storages_from(
        {
            "MEDIA_STORAGE": "s3",
            "S3_BUCKET": "portal-media",
            "S3_ENDPOINT_URL": "https://s3.example.test",
            "S3_ACCESS_KEY_ID": "key-id",
            "S3_SECRET_ACCESS_KEY": "secret",
        }
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "portal-media",
            "endpoint_url": "https://s3.example.test",
            "access_key": "key-id",
            "secret_key": "secret",
            "default_acl": "private",
            "file_overwrite": False,
        },
    }


def test_media_storage_s3_without_a_bucket_refuses_to_start():
    result = storages_from({"MEDIA_STORAGE": "s3", "S3_BUCKET": ""})
    assert result.returncode != 0
    assert "MEDIA_STORAGE=s3 needs S3_BUCKET." in result.stderr
