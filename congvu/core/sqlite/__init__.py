"""Django's SQLite backend with a queue for writers across processes (``ENGINE = "congvu.core.sqlite"``)."""
