"""The Import / Export page: upload, preview (a dry run), confirm; bad files; downloads."""

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from carnet.accounts.models import User
from carnet.customers.models import Customer
from carnet.transfer import uploads
from carnet.transfer.views import PENDING

GOOD = "code,name,phone\r\nA1,Boulangerie Saint-Roch,819 555 0100\r\nA2,Quincaillerie Lévis,\r\n"
BAD = (
    "code,name,phone,max_order_amount\r\n"
    "A1,Un,,\r\n"
    "A2,Deux,999,\r\n"  # not a phone number
    "A1,Un encore,,\r\n"  # a code twice
    "A3,Trois,,douze\r\n"  # not a number
)


def csv_file(text: str | bytes, name: str = "clients.csv") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def preview(client: Client, text: str | bytes, kind: str = "customers") -> Any:
    return client.post("/transfer/import/", {"kind": kind, "file": csv_file(text)})


@pytest.fixture
def controller_client(client_as: Callable[[User], Client], controller: User) -> Client:
    return client_as(controller)


@pytest.mark.django_db
def test_upload_preview_then_confirm_imports_the_file(controller_client: Client, upload_dir: Path) -> None:
    page = controller_client.get("/transfer/").content.decode()
    assert 'action="/transfer/import/"' in page and "/transfer/export/customers.csv" in page

    response = preview(controller_client, GOOD)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="counts"' in page and "<strong>2</strong><span>to create</span>" in page
    assert "A1" in page and "A2" in page and "created" in page
    assert Customer.objects.count() == 0  # a preview changes nothing
    pending = controller_client.session[PENDING]
    kept = upload_dir / f"{pending['token']}.csv"
    assert kept.read_bytes() == GOOD.encode()
    assert f'value="{pending["token"]}"' in page

    response = controller_client.post("/transfer/import/confirm/", {"token": pending["token"]})
    assert response.status_code == 302 and response["Location"] == "/transfer/import/result/"
    assert set(Customer.objects.values_list("code", flat=True)) == {"A1", "A2"}
    assert Customer.objects.get(code="A1").phone == "+1 819-555-0100"
    assert Customer.history.filter(history_change_reason="import").count() == 2  # type: ignore[attr-defined]
    assert not kept.exists() and PENDING not in controller_client.session

    result = controller_client.get("/transfer/import/result/").content.decode()
    assert "clients.csv: 2 rows imported." in result
    assert "<strong>2</strong><span>created</span>" in result


@pytest.mark.django_db
def test_a_bad_file_lists_every_problem_and_changes_nothing(
    controller_client: Client, upload_dir: Path
) -> None:
    response = preview(controller_client, BAD)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing can be imported: the file has 3 problems." in page
    rows = page.split('id="problems"')[1]
    # Every problem, each with its row, column and rule.
    assert '<td class="num row">3</td>\n        <td class="code column">phone</td>' in rows
    assert '<td class="num row">4</td>\n        <td class="code column">code</td>' in rows
    assert "also on row 2" in rows
    assert '<td class="num row">5</td>\n        <td class="code column">max_order_amount</td>' in rows
    assert "douze is not a number" in rows
    assert 'name="token"' not in page  # nothing to confirm
    assert PENDING not in controller_client.session
    assert not upload_dir.exists() or not any(upload_dir.iterdir())
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_a_file_not_in_utf8_is_refused_with_its_line(controller_client: Client) -> None:
    response = preview(controller_client, "code,name\r\nA1,Société Générale\r\n".encode("cp1252"))
    assert response.status_code == 422
    page = response.content.decode()
    assert "not UTF-8 text (line 2" in page and "CSV UTF-8" in page
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_no_file_and_a_wrong_kind_are_named_on_the_form(controller_client: Client) -> None:
    page = controller_client.post("/transfer/import/", {"kind": "customers"}).content.decode()
    assert "Choose the CSV file to import." in page
    response = controller_client.post("/transfer/import/", {"kind": "colours", "file": csv_file(GOOD)})
    assert response.status_code == 400
    assert "Choose one of the kinds of records you may import" in response.content.decode()
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_a_file_too_big_is_refused_before_it_is_read(
    controller_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_BYTES", 40)
    response = preview(controller_client, GOOD)
    assert response.status_code == 400
    page = response.content.decode()
    assert "an import takes files up to 40\xa0bytes: split it into smaller files." in page
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_a_kept_file_changed_on_disk_is_not_imported(controller_client: Client, upload_dir: Path) -> None:
    preview(controller_client, GOOD)
    token = controller_client.session[PENDING]["token"]
    (upload_dir / f"{token}.csv").write_bytes(GOOD.replace("A2", "ZZ").encode())
    response = controller_client.post("/transfer/import/confirm/", {"token": token}, follow=True)
    assert "This preview is no longer available" in response.content.decode()
    assert Customer.objects.count() == 0
    assert not (upload_dir / f"{token}.csv").exists()


@pytest.mark.django_db
def test_a_preview_confirms_once_and_only_with_its_token(controller_client: Client) -> None:
    preview(controller_client, GOOD)
    token = controller_client.session[PENDING]["token"]
    response = controller_client.post("/transfer/import/confirm/", {"token": "not-the-token"}, follow=True)
    assert "no longer available" in response.content.decode()
    assert Customer.objects.count() == 0
    preview(controller_client, GOOD)
    token = controller_client.session[PENDING]["token"]
    controller_client.post("/transfer/import/confirm/", {"token": token})
    again = controller_client.post("/transfer/import/confirm/", {"token": token}, follow=True)
    assert "no longer available" in again.content.decode()
    assert Customer.objects.count() == 2


@pytest.mark.django_db
def test_files_left_behind_are_deleted_after_an_hour(upload_dir: Path) -> None:
    upload = uploads.keep(b"code,name\r\n")
    path = upload_dir / f"{upload.token}.csv"
    assert uploads.sweep(now=time.time() + 60) == 0 and path.exists()
    assert uploads.sweep(now=time.time() + uploads.KEEP_SECONDS + 60) == 1
    assert not path.exists() and uploads.read(upload) is None


@pytest.mark.django_db
def test_a_long_file_previews_its_first_rows_and_the_total(controller_client: Client) -> None:
    text = "code,name\r\n" + "".join(f"K{i:04d},Client {i}\r\n" for i in range(130))
    page = preview(controller_client, text).content.decode()
    assert "<strong>130</strong><span>to create</span>" in page
    assert "K0099" in page and "K0100" not in page
    assert "The first 100 rows are shown; 30 more rows are in the file." in page
    assert "Import 130 rows" in page


@pytest.mark.django_db
def test_the_export_streams_the_same_csv_as_the_command(
    controller_client: Client, book_data: dict[str, Any]
) -> None:
    for kind in ("customers", "contacts", "invoices"):
        response = controller_client.get(f"/transfer/export/{kind}.csv")
        assert response.status_code == 200
        assert isinstance(response, StreamingHttpResponse)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="{kind}-{timezone.localdate():%Y-%m-%d}.csv"'
        )
        out = io.StringIO()
        call_command("export", kind, stdout=out)
        assert b"".join(response.streaming_content).decode("utf-8") == out.getvalue()  # type: ignore[arg-type]
    assert controller_client.get("/transfer/export/colours.csv").status_code == 404
