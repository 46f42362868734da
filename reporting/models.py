"""Generated PDF reports per reporting occasion (models arrive with the reports work)."""
