"""PDF -> pages, clean text, metadata, passages (pipeline.parse_report); the reports' vocabulary and authorities."""
