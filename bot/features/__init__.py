"""The features: one package each, with its manifest in ``feature.py`` (``FEATURE``), listed in ``bot/app.py``.

A package holds its SQL (``storage.py``), its use cases (``service.py``, transaction bodies without Telegram),
its texts and keyboards (``views.py``) and its python-telegram-bot glue (``handlers``). Features use each other
only through the edges their manifests declare (``depends_on``) and the import contracts in pyproject.toml check.
"""
