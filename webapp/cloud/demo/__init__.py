"""The built-in demo cloud: an honest in-process simulation of a small OpenStack.

It checks requests the way Nova does (unknown image or flavor, networks without a
subnet, image minimums, boot sources, ports and fixed IPs, metadata, tags, hostnames,
enforced per-project quotas with Nova's messages) and servers go BUILD -> ACTIVE
after a few seconds, or BUILD -> ERROR with a fault when no host can take them or
Cinder's volume quota cannot (as on a real cloud, that is not an API error). Power
actions pass through Nova's intermediate states and refuse what Nova refuses. Servers,
key pairs, volumes and used ports live in a SQLite file, so the state survives a
restart and is shared by every worker process on the host.

:class:`DemoProvider` implements :class:`webapp.cloud.base.CloudProvider` and
:class:`DemoConnection` implements :class:`webapp.cloud.base.CloudConnection`; the
connections of a provider share one :class:`DemoStore`. The parts:

- :mod:`.provider`: login, projects, opening connections;
- :mod:`.connection`: the lists, key pairs and servers of one user in one project;
- :mod:`.rules` and :mod:`.plan`: what Nova and Cinder refuse in a request;
- :mod:`.build`: BUILD, then ACTIVE or ERROR with a fault;
- :mod:`.servers`: servers as they are now (flavor, addresses, tasks), and pages;
- :mod:`.life`, :mod:`.power`, :mod:`.console`, :mod:`.floating`: a server after
  its launch: stop, start and reboot through Nova's states, its console log as it
  boots, floating IPs from the "public" pool;
- :mod:`.store`: the SQLite file (schema, connections, transactions, rows);
- :mod:`.data`: the fixed catalog: users, projects, images, flavors, networks, quotas.
"""

from webapp.cloud.demo.connection import DemoConnection
from webapp.cloud.demo.provider import DemoProvider
from webapp.cloud.demo.store import DemoStore

__all__ = ["DemoConnection", "DemoProvider", "DemoStore"]
