"""The searchable index: ReportIndex (load, upsert, search), batch ingest, Searcher, SearchFilters, SearchSettings."""
