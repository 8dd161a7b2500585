"""One complaint, judged: fact -> engine -> verdict, and batches of them.

``program`` is the documented internal interface (``Judge.match`` / ``Judge.conclude``);
``facts`` builds the flat fact, ``vocabulary`` lists what a rule may test, ``engine`` is the only
importer of durable_rules, ``verdict`` assembles the answer, ``batch`` spreads a batch over
processes, ``records`` holds the one record per rule and per platform. It may import
:mod:`eligibility.jurisdiction` and below.
"""
