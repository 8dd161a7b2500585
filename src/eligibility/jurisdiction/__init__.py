"""What the law of each territory contributes: offices and what they cover, terms and renewal
grace, official business-day calendars, and appeal deadlines after a counter-notice.

It reads nothing itself: the loader hands it the checked contents of ``jurisdictions/*.yaml``.
It may import only :mod:`eligibility.models`, :mod:`eligibility.errors` and
:mod:`eligibility.names`.
"""
