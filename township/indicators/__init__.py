"""The indicator catalog (catalog.yaml) and the period logic."""
