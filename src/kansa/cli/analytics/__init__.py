"""What the analytics commands share: their common options (:mod:`.options`), one way to run
an analysis and deliver its workpaper (:mod:`.command`), and the console view (:mod:`.output`).
The commands themselves are in ``analytics_tests_cmds`` and ``analytics_sample_cmds``."""
