"""What a client may upload with a service request (plain Python, no ORM).

Files are judged by their content (Odoo's ``guess_mimetype``), never by the
name or type the browser claims; sizes and counts are bounded so that one form
cannot fill the filestore."""

from odoo.tools.mimetypes import guess_mimetype

MAX_FILES = 5
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 15 * 1024 * 1024
MAX_DESCRIPTION = 10_000
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "text/plain": ".txt",
}


class UploadRefused(ValueError):
    """A file the form does not take; ``str()`` says why, in English (translated by the caller)."""

    def __init__(self, reason, **params):
        super().__init__(reason)
        self.reason = reason
        self.params = params


def check_uploads(files):
    """``files``: [(filename, bytes)]. Returns [(safe filename, bytes, mimetype)] or raises UploadRefused."""
    files = [(name, data) for name, data in files if name or data]
    if len(files) > MAX_FILES:
        raise UploadRefused("too_many", limit=MAX_FILES)
    total = 0
    checked = []
    for name, data in files:
        size = len(data)
        total += size
        if not size:
            raise UploadRefused("empty", name=name)
        if size > MAX_FILE_BYTES:
            raise UploadRefused("too_big", name=name, limit=MAX_FILE_BYTES // (1024 * 1024))
        mimetype = guess_mimetype(data, default="application/octet-stream")
        if mimetype not in ALLOWED_TYPES:
            raise UploadRefused("type", name=name, mimetype=mimetype)
        checked.append((safe_name(name, ALLOWED_TYPES[mimetype]), data, mimetype))
    if total > MAX_TOTAL_BYTES:
        raise UploadRefused("total", limit=MAX_TOTAL_BYTES // (1024 * 1024))
    return checked


def safe_name(name, extension):
    """The file's base name without path or control characters, ending with the extension its
    content has (a .exe renamed .pdf is a .pdf only if it is one)."""
    base = (name or "file").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(" .") or "file"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return stem[:100] + extension
