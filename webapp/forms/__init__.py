"""The step actions and workflows of the portal, built on :mod:`webapp.workflow`."""
