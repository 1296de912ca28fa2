"""What users run: the `ofsted-qa` command line, the web app, evidence packs and the report downloader."""
