"""全程留痕: browsing, exporting and verifying the audit trail (the chain itself is engine/store/audit.py)."""
