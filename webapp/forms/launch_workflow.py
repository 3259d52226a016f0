"""The Launch Instance workflow: its steps, and the Nova call at the end.

Shaped like Horizon's legacy workflow: a hidden step contributes the project and
user, then Details, Access & Security, Networking and Post-creation. The final
``handle`` creates the server(s) and maps the cloud's refusals back onto the step
and field that caused them.
"""

from __future__ import annotations

from typing import Any

from webapp.cloud.errors import CloudError
from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import QuotaExceeded
from webapp.cloud.errors import Unauthorized
from webapp.cloud.models import Nic
from webapp.cloud.models import ServerRequest
from webapp.forms.launch import AccessSecurityAction
from webapp.forms.launch import DetailsAction
from webapp.forms.launch import NetworkAction
from webapp.forms.launch import PostCreationAction
from webapp.forms.launch import SetProjectUserAction
from webapp.workflow import ActionError
from webapp.workflow import Step
from webapp.workflow import Workflow


class SetProjectUser(Step):
    """Hidden; its values come from the logged-in user via the initial context."""

    action_class = SetProjectUserAction
    contributes = ("project_id", "user_id")


class SetDetails(Step):
    """Adds ``source_type`` ("image" or "snapshot"), which is not a form field."""

    action_class = DetailsAction
    depends_on = ("project_id",)
    contributes = ("source_type",)

    def contribute(self, data, context):
        context = super().contribute(data, context)
        context.setdefault("description", None)
        image = self.workflow.resources.catalog.image(data.get("source_id") or "")
        context["source_type"] = image.kind if image else None
        return context


class SetAccessControls(Step):
    """Key pair and security groups."""

    action_class = AccessSecurityAction
    depends_on = ("project_id", "user_id")


class SetNetwork(Step):
    """Reshapes the NIC fields into one ordered ``networks`` value."""

    action_class = NetworkAction
    depends_on = ("project_id",)
    contributes = ("networks",)

    def contribute(self, data, context):
        context = super().contribute(data, context)
        chosen = [data[key] for key in ("nic_1", "nic_2", "nic_3") if data.get(key)]
        context["networks"] = chosen[0] if chosen and chosen[0] in ("auto", "none") else chosen
        return context


class SetPostCreation(Step):
    """The customisation script."""

    action_class = PostCreationAction


class LaunchInstance(Workflow):
    """Launch one or more servers from an image or an instance snapshot."""

    slug = "launch_instance"
    name = "Launch instance"
    finalize_button_name = "Launch"
    success_message = 'Requested {count} server(s) named "{name}". Follow the build below.'
    failure_message = 'Could not launch "{name}".'
    default_steps = (SetProjectUser, SetDetails, SetAccessControls, SetNetwork, SetPostCreation)

    def handle(self, context: dict[str, Any]) -> dict[str, Any]:
        request = ServerRequest(
            name=context["name"],
            flavor_id=context["flavor"],
            image_id=context["source_id"],
            count=context["count"],
            availability_zone=context.get("availability_zone") or None,
            key_name=context.get("keypair") or None,
            security_groups=tuple(context.get("security_groups") or ()),
            networks=context["networks"] if isinstance(context["networks"], str)
            else tuple(Nic(network_id=net) for net in context["networks"]),
            user_data=context.get("user_data") or None,
            description=context.get("description") or None,
        )
        try:
            servers = self.resources.connection.create_servers(request)
        except Unauthorized:
            raise  # the view sends the user to log in again, wizard kept
        except CloudError as error:
            raise step_error(error) from error
        return {"server_ids": [server.id for server in servers]}

    def get_success_url(self) -> str:
        ids = self.context.get("server_ids") or []
        if len(ids) == 1:
            return f"/servers/{ids[0]}"
        return "/servers/?ids=" + ",".join(ids)


#: words in a cloud's message -> the step and field that caused it
_BLAME = (
    ("flavor", "details", "flavor"),
    ("memory", "details", "flavor"),
    ("disk", "details", "flavor"),
    ("image", "details", "source_id"),
    ("availability zone", "details", "availability_zone"),
    ("key", "access", "keypair"),
    ("security group", "access", "security_groups"),
    ("network", "network", "nic_1"),
    ("port", "network", "nic_1"),
    ("fixed ip", "network", "nic_1"),
    ("user data", "post", "user_data"),
    ("name", "details", "name"),
)


def step_error(error: CloudError) -> ActionError:
    """Turn a cloud error from the create call into an error on the right step."""
    message = str(error)
    if isinstance(error, QuotaExceeded):
        field = "count" if "instances" in error.message else "flavor"
        return ActionError(message, step="details", field=field)
    if isinstance(error, CloudUnavailable):
        return ActionError(
            f"{message} Nothing was launched; your choices are kept, so you can try again.",
            step="post",
        )
    if isinstance(error, InvalidRequest):
        lowered = error.message.lower()
        for words, step, field in _BLAME:
            if words in lowered:
                return ActionError(message, step=step, field=field)
    return ActionError(message, step="details")
