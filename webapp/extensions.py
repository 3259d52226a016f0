"""Extension objects, bound to the app in the factory (the Pallets ``init_app`` idiom)."""

from flask_compress import Compress
from flask_wtf.csrf import CSRFProtect

compress = Compress()
csrf = CSRFProtect()
