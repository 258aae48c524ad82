"""The HTTP API: a FastAPI app over ``bot.service.Whosaid``, built by ``bot.api.app.create_app``.

Importing this package imports nothing heavy; the app loads models only when it starts.
"""
