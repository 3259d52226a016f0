"""The real-OpenStack cloud layer: Keystone login, Nova, Glance, Neutron and Cinder.

:class:`OpenStackProvider` implements :class:`webapp.cloud.base.CloudProvider` and
:class:`OpenStackConnection` implements :class:`webapp.cloud.base.CloudConnection`.
:class:`CallLog` and :func:`recording` count the upstream HTTP requests (see
:mod:`webapp.cloud.openstack.session`).
"""

from webapp.cloud.openstack.connection import OpenStackConnection
from webapp.cloud.openstack.provider import OpenStackProvider
from webapp.cloud.openstack.session import Call
from webapp.cloud.openstack.session import CallLog
from webapp.cloud.openstack.session import recording

__all__ = [
    "Call",
    "CallLog",
    "OpenStackConnection",
    "OpenStackProvider",
    "recording",
]
