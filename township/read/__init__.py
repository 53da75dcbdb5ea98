"""Reading village files: grids of cells, forms found in them, values normalised."""
