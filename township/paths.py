"""Where the project's own files are: beside the package in a source checkout (schemas/, flows/),
or inside it when installed from a wheel (township/_project/, see pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def project_file(*parts: str) -> Path:
    """A file of the project's (e.g. project_file("schemas", "forms.yaml")): the checkout's if
    there is one, else the copy the wheel carries."""
    checkout = PACKAGE.parent.joinpath(*parts)
    return checkout if checkout.exists() else PACKAGE.joinpath("_project", *parts)
