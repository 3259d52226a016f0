"""A small workflow engine in the spirit of Horizon's: Actions, Steps, Workflows.

It knows nothing of OpenStack, of Flask or of routes; it needs only WTForms. Views
build a workflow around a wizard's saved state and call
:meth:`Workflow.validate_step` while the user moves and :meth:`Workflow.finalize` at
the final submit.
"""

from webapp.workflow.action import Action
from webapp.workflow.action import ActionError
from webapp.workflow.inputs import StepInput
from webapp.workflow.state import MemoryWizardRecords
from webapp.workflow.state import WizardConflict
from webapp.workflow.state import WizardRecords
from webapp.workflow.state import WizardState
from webapp.workflow.state import WizardStore
from webapp.workflow.step import Step
from webapp.workflow.workflow import STEP_ERRORS
from webapp.workflow.workflow import Workflow
from webapp.workflow.workflow import WorkflowError

__all__ = [
    "MemoryWizardRecords",
    "STEP_ERRORS",
    "Action",
    "ActionError",
    "Step",
    "StepInput",
    "WizardConflict",
    "WizardRecords",
    "WizardState",
    "WizardStore",
    "Workflow",
    "WorkflowError",
]
