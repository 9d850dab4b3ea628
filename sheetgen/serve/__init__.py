"""``sheetgen serve``: the live preview in the browser.

:mod:`.server` runs it: the change watcher (:mod:`sheetgen.authoring.watch`),
:mod:`.site` (what is shown: every spec validated, each good one rendered to
Word and read back by :mod:`.document`, problems placed by :mod:`.marks`),
:mod:`.builds` (the output folder kept current through ``run_build``, for
:mod:`.downloads`), :mod:`.pages` (HTML), :mod:`.live` (server-sent events)
and :mod:`.app` (the Starlette routes).
"""
