"""One handle on the database and the blob folder, built from settings."""

from __future__ import annotations

from dataclasses import dataclass

from agent.settings import Settings
from agent.store.blobs import BlobStore
from agent.store.db import Database
from agent.store.repository import DocumentRepository
from agent.store.reviews import DecisionRepository, ReviewRepository


@dataclass
class Store:
    db: Database
    blobs: BlobStore
    documents: DocumentRepository
    reviews: ReviewRepository
    decisions: DecisionRepository

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        db = Database(settings.resolved_database_url)
        db.create_all()
        return cls(db=db, blobs=BlobStore(settings.blob_dir), documents=DocumentRepository(db),
                   reviews=ReviewRepository(db), decisions=DecisionRepository(db))
