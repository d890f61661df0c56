"""PDFium is not thread-safe, not even across documents: every call into it holds this lock."""

import threading

PDFIUM_LOCK = threading.RLock()
