"""What novaclient's ``servers.create`` is given for a :class:`ServerRequest`.

Only what the request holds is passed. A value the negotiated microversion cannot
take raises InvalidRequest before any call (only the description, which is merely
informative, is dropped instead), so nothing the user chose is lost silently.

novaclient shapes the body: with an image and ``block_device_mapping_v2`` it puts
the image first as the local boot disk (``boot_index`` 0), and without an image it
sends ``imageRef: ""``, which is what Nova wants for a server booted from a volume.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from novaclient import api_versions

from webapp.cloud import errors
from webapp.cloud import models
from webapp.cloud.openstack import discovery
from webapp.i18n import lazy_gettext as _l

__all__ = ["create_arguments"]


def create_arguments(
    request: models.ServerRequest, version: api_versions.APIVersion
) -> tuple[str | None, dict[str, Any]]:
    """The image (None to boot from a volume) and the keyword arguments of
    ``servers.create`` for ``request`` at compute microversion ``version``.

    :raises InvalidRequest: for a choice this microversion cannot take.
    """
    options: dict[str, Any] = {
        "min_count": request.count,
        "max_count": request.count,
    }
    if request.availability_zone:
        options["availability_zone"] = request.availability_zone
    if request.key_name:
        options["key_name"] = request.key_name
    if request.security_groups:
        options["security_groups"] = list(request.security_groups)
    if request.user_data:
        # text or bytes as they are: novaclient base64-encodes them (text as UTF-8)
        options["userdata"] = request.user_data
    if request.description and version >= discovery.DESCRIPTION:
        options["description"] = request.description
    nics = _nics(request.networks, version)
    if nics is not None:
        options["nics"] = nics
    if request.block_devices:
        options["block_device_mapping_v2"] = [
            _block_device(device, version) for device in request.block_devices
        ]
    if request.admin_password:
        options["admin_pass"] = request.admin_password
    if request.config_drive:
        # novaclient sends only a true value; without it Nova's default applies
        options["config_drive"] = True
    if request.disk_config:
        options["disk_config"] = request.disk_config
    if request.metadata:
        options["meta"] = dict(request.metadata)
    if request.tags:
        _require(
            version,
            discovery.TAGS,
            _l("Tags need compute API %(version)s", version=discovery.TAGS.get_string()),
        )
        options["tags"] = list(request.tags)
    if request.hostname:
        _require(
            version,
            discovery.HOSTNAME,
            _l("A hostname needs compute API %(version)s", version=discovery.HOSTNAME.get_string()),
        )
        options["hostname"] = request.hostname
    hints = dict(request.scheduler_hints)
    if request.server_group:
        hints["group"] = request.server_group
    if hints:
        options["scheduler_hints"] = hints
    if request.count > 1:
        # Nova answers a multi-create with only the first server; the
        # reservation id finds them all
        options["reservation_id"] = True
    return request.image_id or None, options


def _nics(
    networks: tuple[models.Nic, ...] | str, version: api_versions.APIVersion
) -> list[dict[str, str]] | str | None:
    """novaclient's ``nics`` for the chosen networks (None: leave it to Nova).

    From 2.37 Nova requires an explicit choice, so "nothing chosen" becomes "auto"
    (Nova's old default: the project's only network, else get-me-a-network).
    """
    if isinstance(networks, str):
        if networks not in ("auto", "none"):
            raise ValueError(f"networks must be Nics, 'auto' or 'none': {networks!r}")
        if version >= discovery.NETWORK_CHOICE:
            return networks
        if networks == "none":
            raise errors.InvalidRequest(_l("This cloud cannot create a server without a network."))
        return None
    if networks:
        return [_nic(nic) for nic in networks]
    return "auto" if version >= discovery.NETWORK_CHOICE else None


def _nic(nic: models.Nic) -> dict[str, str]:
    if not (nic.network_id or nic.port_id):
        raise errors.InvalidRequest(_l("A network interface needs a network or a port."))
    entry = {}
    if nic.network_id:
        entry["net-id"] = nic.network_id
    if nic.port_id:
        entry["port-id"] = nic.port_id
    if nic.fixed_ip:
        try:
            ip_version = ipaddress.ip_address(nic.fixed_ip).version
        except ValueError as exc:
            raise errors.InvalidRequest(
                _l("%(address)s is not a valid IP address.", address=nic.fixed_ip)
            ) from exc
        entry[f"v{ip_version}-fixed-ip"] = nic.fixed_ip
    return entry


def _block_device(device: models.BlockDevice, version: api_versions.APIVersion) -> dict[str, Any]:
    """One ``block_device_mapping_v2`` entry, with only the keys that are set."""
    entry: dict[str, Any] = {}
    if device.uuid:
        entry["uuid"] = device.uuid
    entry.update(
        source_type=device.source_type,
        destination_type=device.destination_type,
        boot_index=device.boot_index,
        delete_on_termination=device.delete_on_termination,
    )
    if device.volume_size is not None:
        entry["volume_size"] = device.volume_size
    if device.volume_type:
        _require(
            version,
            discovery.VOLUME_TYPE,
            _l(
                "Volume types need compute API %(version)s",
                version=discovery.VOLUME_TYPE.get_string(),
            ),
        )
        entry["volume_type"] = device.volume_type
    return entry


def _require(
    version: api_versions.APIVersion, needed: api_versions.APIVersion, message: str
) -> None:
    """InvalidRequest(``message``, which names ``needed``) below ``needed``."""
    if version < needed:
        raise errors.InvalidRequest(message)
