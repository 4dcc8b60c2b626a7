-- Run once by the postgres image when it creates the database (mounted into
-- /docker-entrypoint-initdb.d/). Tryton uses trigram similarity for searches
-- when the extension is there.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
