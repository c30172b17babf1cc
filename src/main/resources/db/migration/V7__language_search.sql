-- Search in the language of each room (issue: language-aware search). A message carries the text-search
-- configuration of its channel's language ('simple' for channels without one, and for languages
-- PostgreSQL has no configuration for), and a stored tsvector built with it, under one GIN index: a
-- search asks each configuration in use with its own tsquery (docs/decisions.md).
CREATE FUNCTION search_config(lang text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (CASE split_part(lower(coalesce(lang, '')), '-', 1)
    WHEN 'ar' THEN 'pg_catalog.arabic' WHEN 'ca' THEN 'pg_catalog.catalan' WHEN 'da' THEN 'pg_catalog.danish'
    WHEN 'de' THEN 'pg_catalog.german' WHEN 'el' THEN 'pg_catalog.greek' WHEN 'en' THEN 'pg_catalog.english'
    WHEN 'es' THEN 'pg_catalog.spanish' WHEN 'eu' THEN 'pg_catalog.basque' WHEN 'fi' THEN 'pg_catalog.finnish'
    WHEN 'fr' THEN 'pg_catalog.french' WHEN 'ga' THEN 'pg_catalog.irish' WHEN 'hi' THEN 'pg_catalog.hindi'
    WHEN 'hu' THEN 'pg_catalog.hungarian' WHEN 'hy' THEN 'pg_catalog.armenian' WHEN 'id' THEN 'pg_catalog.indonesian'
    WHEN 'it' THEN 'pg_catalog.italian' WHEN 'lt' THEN 'pg_catalog.lithuanian' WHEN 'ne' THEN 'pg_catalog.nepali'
    WHEN 'nl' THEN 'pg_catalog.dutch' WHEN 'no' THEN 'pg_catalog.norwegian' WHEN 'nb' THEN 'pg_catalog.norwegian'
    WHEN 'pt' THEN 'pg_catalog.portuguese' WHEN 'ro' THEN 'pg_catalog.romanian' WHEN 'ru' THEN 'pg_catalog.russian'
    WHEN 'sr' THEN 'pg_catalog.serbian' WHEN 'sv' THEN 'pg_catalog.swedish' WHEN 'ta' THEN 'pg_catalog.tamil'
    WHEN 'tr' THEN 'pg_catalog.turkish' WHEN 'yi' THEN 'pg_catalog.yiddish'
    ELSE 'pg_catalog.simple' END)::regconfig $$;

ALTER TABLE messages ADD COLUMN search_config regconfig NOT NULL DEFAULT 'pg_catalog.simple';
UPDATE messages m SET search_config = search_config(c.language)
FROM channels c WHERE c.id = m.channel_id AND c.language IS NOT NULL AND search_config(c.language) <> 'pg_catalog.simple'::regconfig;
ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector(search_config, body)) STORED;
CREATE INDEX messages_search_idx ON messages USING gin (search_vector);
DROP INDEX messages_body_fts_idx;
