"""The follow-up and review pages: no models of its own. It puts together what goals (the
cycle, assessments, outcomes) and governance (assignments) hold about one follow-up, and saves
the page in one transaction (followup.services.followup_save)."""
