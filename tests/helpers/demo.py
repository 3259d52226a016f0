"""Building requests for the demo cloud in its tests."""

from __future__ import annotations

from webapp.cloud.demo import data as demo_data
from webapp.cloud.models import Nic
from webapp.cloud.models import ServerRequest

CIRROS = demo_data.IMAGES[0].id
PRIVATE = demo_data.NETWORKS[0].id


def request(**values):
    """A valid request (cirros, m1.tiny, the private network) with ``values`` changed."""
    return ServerRequest(
        **{
            "name": "s",
            "flavor_id": "2",
            "image_id": CIRROS,
            "networks": (Nic(network_id=PRIVATE),),
            **values,
        }
    )
