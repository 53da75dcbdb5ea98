"""What goes out: village validation reports, the township summary, the blank template."""
