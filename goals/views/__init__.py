"""goals' pages: the chain and the start page (chain), planning (planning), import and export
(imports). The follow-up and review pages are in the followup app."""
