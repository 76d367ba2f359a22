"""What the document register accepts: PDF, ODT and DOCX, checked by their
content and not only by their name or the browser's claim, and no larger
than the configured limit."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {"pdf": PDF, "odt": ODT, "docx": DOCX}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def max_bytes() -> int:
    return getattr(settings, "GOVERNANCE_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES)


def _sniff(upload) -> str | None:
    """The content type the bytes show, or None when they are none of ours."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    return None


def check_upload(upload, field: str = "bestand") -> str:
    """The file's content type, or a Dutch refusal naming the field."""
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            {field: f"Het bestand is {filesizeformat(upload.size)}; ten hoogste {filesizeformat(limit)} is toegestaan."}
        )
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    expected = CONTENT_TYPES.get(extension)
    if expected is None:
        raise ValidationError({field: "Alleen PDF-, ODT- en DOCX-bestanden zijn toegestaan."})
    found = _sniff(upload)
    if found != expected:
        raise ValidationError(
            {field: f"De inhoud van {name} is geen {extension.upper()}-bestand; het bestand is geweigerd."}
        )
    return found
