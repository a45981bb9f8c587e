"""The demo's time machine (demo mode only)."""
