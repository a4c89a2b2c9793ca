"""The back office's own pages: onboarding, the inboxes of online customer service,
accounts on request and the audit trail. Master data is in Django's admin (admin.py)."""
