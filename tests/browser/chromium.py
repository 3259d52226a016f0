"""How the browser tests and the page-weight benchmark start Debian's Chromium."""

import os

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: run as root, in a closed network: no sandbox, GPU, QUIC or calls home
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
