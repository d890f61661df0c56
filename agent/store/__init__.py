"""Where documents live: rows in a SQL database, original bytes content-addressed on disk."""

from agent.store.blobs import BlobStore
from agent.store.db import Database
from agent.store.models import Base, Document, DocumentStatus
from agent.store.repository import DocumentRepository
from agent.store.store import Store

__all__ = [
    "Base", "BlobStore", "Database", "Document", "DocumentRepository", "DocumentStatus", "Store",
]
