"""A bundle's life after training: retrain from reviews, shadow, canary, compare, promote,
roll back (docs/lifecycle.md)."""

from papertrail.errors import PapertrailError


class LifecycleError(PapertrailError):
    """A bundle step (retrain, shadow, promote, rollback) cannot be taken as asked."""

    code = "bundle_lifecycle"


class PromotionRefusedError(LifecycleError):
    """The promotion gate refused the candidate; `--force` by an admin with a reason overrides."""

    code = "promotion_refused"
