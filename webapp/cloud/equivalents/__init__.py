"""What Skiff asks the cloud for, written for the tools people already use: the
``openstack server create`` command, the Nova API request (novaclient's own body)
and an OpenTofu/Terraform configuration that create the same server(s) as a
:class:`~webapp.cloud.models.ServerRequest`. None shows the admin password."""

from webapp.cloud.equivalents.api import ApiRequest
from webapp.cloud.equivalents.api import api_request
from webapp.cloud.equivalents.command import USER_DATA_FILE
from webapp.cloud.equivalents.command import openstack_command
from webapp.cloud.equivalents.terraform import terraform_config

__all__ = ["USER_DATA_FILE", "ApiRequest", "api_request", "openstack_command", "terraform_config"]
