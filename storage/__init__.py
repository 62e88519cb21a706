"""The job log (SQLite through SQLAlchemy); nothing here imports bot or pipeline."""
