"""The app's blueprints: thin route modules, one package per area."""
