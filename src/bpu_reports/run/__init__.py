"""The run room: one report notebook executed (papermill) and published, or a month's batch
of them (plan, executors, forked kernels, manifest, lock, clean stops); it may import
``data``, ``metrics``, ``report``, ``render``, ``config``, ``errors``, ``outdir``, ``period``,
``publish`` and the package version, never ``deliver``, ``cli`` or ``console_views``."""
