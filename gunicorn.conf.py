"""gunicorn's settings for Skiff, read by gunicorn from the folder it starts in.

``make run`` passes the rest (bind address, workers, threads) on its command line.
"""

import gunicorn.http.wsgi

# gunicorn names itself in a "Server: gunicorn" header on every answer; the portal
# tells nobody what serves it (there is no setting for this header).
gunicorn.http.wsgi.SERVER = "skiff"
