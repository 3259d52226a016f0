"""Extension objects, bound to the app in the factory (the Pallets ``init_app`` idiom)."""

from flask_session import Session
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
sess = Session()
