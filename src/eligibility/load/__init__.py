"""Policy files -> checked specs -> compiled programs.

``loader`` reads ``rules/`` and ``jurisdictions/`` and runs the checks in named stages,
collecting every problem; ``specs`` are the file formats, ``conditions`` the rule language,
``compiler`` turns checked rules into durable_rules programs, ``yaml`` is the safe reader every
face uses too. It may import :mod:`eligibility.judge` and below, never the facade or a face.
"""
