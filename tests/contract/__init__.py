"""Contract suites run against every backend: SQLite and a real PostgreSQL, embedded Chroma and a real server."""
