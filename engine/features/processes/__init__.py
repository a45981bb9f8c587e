"""Processes as the administrator runs them: deploying versions, moving running instances onto them, and the
instance console (suspend, resume, move a token back). No business decision is taken here."""
