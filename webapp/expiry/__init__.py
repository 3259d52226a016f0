"""Servers that expire: a lease chosen at launch, kept in the server's metadata,
shown and extended on the servers pages, acted on by ``flask skiff expire``.

- :mod:`.lease`: leases, the metadata keys (``skiff:expires_at``,
  ``skiff:expiry_action``) and reading them back; pure.
- :mod:`.policy`: the operator's rules (``EXPIRY_*``): default, maximum, "never";
  pure.
- :mod:`.words`: leases, time left and refusals in the request's language.
- :mod:`.sweep`: the expire run over every project's servers, one log line each.
- :mod:`.cli`: the ``flask skiff`` commands.

The launch's Details step offers the lease (:mod:`webapp.forms.launch.expiry`),
the servers blueprint shows and extends it (:mod:`webapp.blueprints.servers.expiry`),
and the cloud layer sets metadata and gives an operator's view of every project
(:mod:`webapp.cloud.operator`).
"""
