"""The rule catalog (catalog.yaml) and the checks that apply it in batches."""
