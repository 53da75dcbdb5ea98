"""The township summary: built once from the warehouse (build.py: Summary, build_summary), put
out by the renderers registered in renderers.py (text, JSON, xlsx, PNG charts).

Kept free of imports so that the command line can list the formats without loading pandas."""
