"""How the browser tests start Debian's Chromium (headless, no network but
loopback's)."""
import shutil

CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic',
    ]
