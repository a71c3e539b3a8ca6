"""Response headers every environment sends (production adds HSTS and secure cookies)."""
