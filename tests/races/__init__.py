"""Races and floods against the app served over real HTTP, on each state store."""
