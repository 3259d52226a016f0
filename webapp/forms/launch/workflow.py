"""The Launch Instance workflow: its steps, and the Nova call at the end.

A hidden step contributes the project and user; then Details, Source, Flavor,
Networking, Access & Security, Configuration and Review. The final ``handle``
builds one :class:`~webapp.cloud.models.ServerRequest` from the context, creates
the server(s) and maps the cloud's refusals back onto the step and field that
caused them (:mod:`webapp.forms.launch.blame`).
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar
from typing import cast

from webapp.cloud.errors import CloudError
from webapp.cloud.errors import Unauthorized
from webapp.forms.launch.access import AccessAction
from webapp.forms.launch.blame import step_error
from webapp.forms.launch.common import LaunchResources
from webapp.forms.launch.config import ConfigAction
from webapp.forms.launch.context import LaunchContext
from webapp.forms.launch.details import DetailsAction
from webapp.forms.launch.details import SetProjectUserAction
from webapp.forms.launch.flavor import FlavorAction
from webapp.forms.launch.network import NetworkAction
from webapp.forms.launch.network import interfaces
from webapp.forms.launch.review import ReviewAction
from webapp.forms.launch.server_request import port_security
from webapp.forms.launch.server_request import server_request
from webapp.forms.launch.source import SourceAction
from webapp.forms.launch.source import makes_boot_volume
from webapp.forms.launch.source import source_kind
from webapp.forms.launch.source import volumes_per_server
from webapp.i18n import lazy_gettext as _l
from webapp.workflow import Step
from webapp.workflow import Workflow

__all__ = ["LaunchInstance"]


class LaunchStep(Step):
    """A step of the launch: its resources are the launch's."""

    workflow: LaunchInstance
    #: the step's form takes a file (its form is then posted as multipart, which
    #: costs more to parse than the plain encoding every other step uses)
    uploads: ClassVar[bool] = False

    @property
    def resources(self) -> LaunchResources:
        """The wizard's lists, settings and connection."""
        return self.workflow.resources


class SetProjectUser(LaunchStep):
    """Hidden; its values come from the logged-in user via the initial context."""

    action_class = SetProjectUserAction
    contributes = ("project_id", "user_id", "region")
    hidden = True


class SetDetails(LaunchStep):
    """Name, description, zone, count."""

    action_class = DetailsAction
    depends_on = ("project_id",)

    def contribute(self, data: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        context = super().contribute(data, context)
        context.setdefault("description", None)
        return context


class SetSource(LaunchStep):
    """Adds what follows from the source: its kind and the volumes it makes."""

    action_class = SourceAction
    depends_on = ("count",)
    contributes = ("source_type", "boot_volume", "volumes_per_server")

    def contribute(self, data: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        context = super().contribute(data, context)
        catalog = self.resources.catalog
        kind = source_kind(catalog, data.get("source_id") or "")
        context["source_type"] = kind
        context["boot_volume"] = kind == "volume" or makes_boot_volume(catalog, data)
        context["volumes_per_server"] = list(volumes_per_server(catalog, data))
        return context


class SetFlavor(LaunchStep):
    """The flavor, checked against the source and the quota for the count."""

    action_class = FlavorAction
    depends_on = ("count", "source_id", "boot_volume")


class SetNetwork(LaunchStep):
    """Adds ``networks`` (the interfaces in order, or "auto"/"none") and whether
    any interface has port security, which decides if security groups apply."""

    action_class = NetworkAction
    depends_on = ("count",)
    contributes = ("networks", "port_security")

    def contribute(self, data: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        context = super().contribute(data, context)
        context["networks"] = interfaces(data)
        context["port_security"] = port_security(self.resources.catalog, context["networks"])
        return context


class SetAccess(LaunchStep):
    """Key pair, security groups and admin password."""

    action_class = AccessAction
    depends_on = ("port_security",)
    uploads = True


class SetConfig(LaunchStep):
    """The customisation script and the server's other settings."""

    action_class = ConfigAction
    depends_on = ("count",)
    uploads = True


class Review(LaunchStep):
    """A look at everything before launching."""

    action_class = ReviewAction
    depends_on = ("flavor", "networks")


class LaunchInstance(Workflow):
    """Launch one or more servers from an image, a snapshot or a volume.

    Its result is ``{"server_ids": [...]}``; where to go next is the view's call.
    """

    slug = "launch_instance"
    name = _l("Launch instance")
    finalize_button_name = _l("Launch")
    # The messages are str.format templates ({name}, {count}...), translated first.
    success_message = _l('Requested {count} server(s) named "{name}". Follow the build below.')
    #: ``{step}``: the first step with errors, the one the page then shows
    failure_message = _l('Could not launch "{name}": see {step}, marked "!".')
    #: :attr:`failure_message` for a launch not named yet (no ``{name}``)
    failure_message_unnamed = _l('Could not launch: see {step}, marked "!".')
    blocked_message = _l("Complete {names} first.")
    default_steps = (
        SetProjectUser,
        SetDetails,
        SetSource,
        SetFlavor,
        SetNetwork,
        SetAccess,
        SetConfig,
        Review,
    )
    resources: LaunchResources
    #: the cloud's refusal of the last submit (a step's refusal leaves it None),
    #: for the audit log to tell them apart
    cloud_error: CloudError | None = None

    def handle(self, context: dict[str, Any]) -> dict[str, Any]:
        request = server_request(self.resources.catalog, cast(LaunchContext, context))
        try:
            servers = self.resources.connection.create_servers(request)
        except Unauthorized:
            raise  # the view sends the user to log in again, wizard kept
        except CloudError as error:
            self.cloud_error = error
            raise step_error(error) from error
        return {"server_ids": [server.id for server in servers]}
