"""The caseworker's front door: the interview (`interview.py`, the state shared by both
doors), the terminal interview (`terminal.py`) and the web application with its JSON API
(`app.py`, `page.py`, `limits.py`). Everything here sits on top of the library and
imports nothing heavy until used."""
