"""The Networking step: the server's network interfaces, in order.

Each interface is a network (optionally with a fixed IP from its subnets) or a free
pre-existing port. Networks without a subnet cannot take servers and are not
offered; "automatic" (Nova's get-me-a-network) is offered only when the project has
no usable network, and "no network" where the cloud allows it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from wtforms import SelectField
from wtforms import StringField
from wtforms import ValidationError
from wtforms.validators import Length

from webapp.forms.launch.common import LaunchAction
from webapp.forms.launch.common import SelectChoice
from webapp.forms.launch.context import Networks
from webapp.forms.launch.context import Nic
from webapp.forms.launch.context import special_network
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l

#: how many interfaces the form offers
NIC_SLOTS = 3
PORT_PREFIX = "port:"


class NetworkAction(LaunchAction):
    """Up to three interfaces: network or port, and a fixed IP for networks."""

    class Meta:
        name = _l("Networking")
        slug = "network"
        help_text = _l(
            "Choose the network (or a free port) of each interface, first one first. "
            "A fixed IP must be in one of the network's subnets; leave it empty to get any."
        )

    nic_1 = SelectField(_l("Interface 1"), default="")
    ip_1 = StringField(_l("Fixed IP of interface 1"), validators=[Length(max=45)])
    nic_2 = SelectField(_l("Interface 2"), default="")
    ip_2 = StringField(_l("Fixed IP of interface 2"), validators=[Length(max=45)])
    nic_3 = SelectField(_l("Interface 3"), default="")
    ip_3 = StringField(_l("Fixed IP of interface 3"), validators=[Length(max=45)])

    def __init__(self, context, **kwargs):
        super().__init__(context, **kwargs)
        usable = self.usable_networks()
        if not self.is_bound and not self.nic_1.data and len(usable) == 1:
            self.nic_1.data = usable[0].id  # the only network is preselected

    def usable_networks(self):
        """Networks with a subnet."""
        return [n for n in self.resources.catalog.networks if n.has_subnet]

    def pairs(self):
        """(select, fixed IP) field pairs, in order."""
        return [(self[f"nic_{i}"], self[f"ip_{i}"]) for i in range(1, NIC_SLOTS + 1)]

    def _choices(self, *, first: bool):
        catalog = self.resources.catalog
        features = catalog.features
        choices = [SelectChoice("", _("Choose a network") if first else _("None"))]
        networks, ports = _("Networks"), _("Free ports")
        choices += [
            SelectChoice(
                n.id, _("%(name)s (shared)", name=n.name) if n.shared else n.name, optgroup=networks
            )
            for n in self.usable_networks()
        ]
        names = {n.id: n.name for n in catalog.networks}
        choices += [
            SelectChoice(
                PORT_PREFIX + p.id,
                _(
                    "%(port)s on %(network)s %(addresses)s",
                    port=p.name or p.id[:8],
                    network=names.get(p.network_id, "?"),
                    addresses=", ".join(p.fixed_ips),
                ),
                optgroup=ports,
            )
            for p in catalog.ports
        ]
        if first and features.network_auto and not self.usable_networks():
            choices.append(SelectChoice("auto", _("Automatic (the cloud makes a network)")))
        if first and features.network_none:
            choices.append(SelectChoice("none", _("No network")))
        return choices

    def populate_nic_1_choices(self, context):
        return self._choices(first=True)

    def populate_nic_2_choices(self, context):
        return self._choices(first=False)

    populate_nic_3_choices = populate_nic_2_choices

    def validate_nic_1(self, field):
        if not field.data:
            raise ValidationError(_("Choose a network."))

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        return self._check_interfaces()

    def _check_interfaces(self) -> bool:
        count = self.context.get("count") or 1
        seen = set()
        for select, address in self.pairs():
            value, ip = select.data, (address.data or "").strip()
            if not value:
                if ip:
                    address.errors.append(_("Choose the interface's network first."))
                continue
            if value in ("auto", "none"):
                if any(s.data for s, _ip in self.pairs()[1:]):
                    self.nic_2.errors = [
                        *self.nic_2.errors,
                        _("Automatic or no network cannot be combined with other interfaces."),
                    ]
                    return False
                if ip:
                    address.errors.append(_("A fixed IP needs a network."))
                continue
            if value in seen:
                select.errors.append(_("Each network or port can be chosen once."))
            seen.add(value)
            if value.startswith(PORT_PREFIX):
                if ip:
                    address.errors.append(_("A port brings its own address; leave this empty."))
                if count > 1:
                    select.errors.append(
                        _(
                            "A port can serve one server only; you asked for %(count)s (Details).",
                            count=count,
                        )
                    )
            elif ip:
                self._check_ip(address, value, ip, count)
        return not any(f.errors for f in self)

    def _check_ip(self, field, network_id: str, ip: str, count: int) -> None:
        network = self.resources.catalog.network(network_id)
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            field.errors.append(_("%(ip)s is not an IP address.", ip=ip))
            return
        if count > 1:
            field.errors.append(
                _(
                    "A fixed IP can go to one server only; you asked for %(count)s (Details).",
                    count=count,
                )
            )
            return
        subnets = [ipaddress.ip_network(cidr, strict=False) for cidr in network.subnets]
        if subnets and not any(address in subnet for subnet in subnets):
            field.errors.append(
                _(
                    "%(ip)s is not in the subnets of %(network)s (%(subnets)s).",
                    ip=ip,
                    network=network.name,
                    subnets=", ".join(network.subnets),
                )
            )


def interfaces(data: Mapping[str, Any]) -> Networks:
    """The interfaces in the step's ``data``, as the context keeps them: a list of
    ``{"network_id", "fixed_ip"}`` or ``{"port_id"}``, or "auto" / "none"."""
    special = special_network(data.get("nic_1"))
    if special is not None:
        return special
    nics: list[Nic] = []
    for slot in range(1, NIC_SLOTS + 1):
        value = data.get(f"nic_{slot}")
        if not value:
            continue
        if value.startswith(PORT_PREFIX):
            nics.append({"port_id": value.removeprefix(PORT_PREFIX)})
        else:
            fixed_ip = (data.get(f"ip_{slot}") or "").strip() or None
            nics.append({"network_id": value, "fixed_ip": fixed_ip})
    return nics
