"""``watch``: the lockdown checked on a schedule between deployments, and alarmed on.

- :mod:`.schedule`: the ``schedule`` argument, EventBridge's ``rate(...)`` and ``cron(...)``
  grammar, and the alarm period that fits it (pure);
- :mod:`.settings`: the ``Watch`` argument and its validation (pure);
- :mod:`.compare`: what the listed allowlist says about the lockdown (pure, standard library
  only: uploaded with the handler);
- :mod:`.handler`: the watcher function's code (standard library, and boto3 as Lambda's runtime
  has it);
- :mod:`.resources`: the component's children that run it.
"""
