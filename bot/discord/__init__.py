"""The Discord front end: plain request logic (service) and the discord.py glue (app)."""
