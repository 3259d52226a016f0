"""The Launch Instance workflow, one module per step, in the shape of Horizon's."""

from webapp.forms.launch.common import LaunchResources
from webapp.forms.launch.workflow import LaunchInstance

__all__ = ["LaunchInstance", "LaunchResources"]
