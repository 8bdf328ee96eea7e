"""python-telegram-bot glue: one module per feature, each with ``register(app)``; see ``bot/app.py``."""
