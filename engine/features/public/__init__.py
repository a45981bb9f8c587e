"""Public disclosure: what anyone may read without logging in (tasks, sign-off notices, summaries, exposures), and
the objections the public files during a 公示."""
