"""What every app builds on and that knows no model: formats, form fields, the conflict page,
text limits and bidi isolation, the domain error. It depends on Django only."""
