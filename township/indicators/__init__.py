"""The indicator catalog (catalog.yaml); periods are township.calendar's."""
