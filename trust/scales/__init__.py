"""The support scale: templates from the seeds, choosing and editing the trust's scale."""
