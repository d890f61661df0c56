"""`papertrail report`: the automation and review-load page and table."""
