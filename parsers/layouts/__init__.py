"""One module per document layout; each returns parsers.model.LayoutResult."""
