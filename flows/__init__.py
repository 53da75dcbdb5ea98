"""Prefect flows: thin orchestration over the township library."""

from township.prefect_settings import configure_prefect

configure_prefect()
