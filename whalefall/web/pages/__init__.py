"""Server-rendered pages of the web console, behind Flask-Login sessions and CSRF-protected forms."""
