-- A first lounge with one room per language, so guests have somewhere to talk on a fresh node.
INSERT INTO lounges (slug, name) VALUES ('general', 'General');
INSERT INTO channels (kind, name, topic, lounge_id, language)
SELECT 'room', 'General (' || lang || ')', 'Say hello', l.id, lang
FROM lounges l, unnest(ARRAY['en', 'es', 'fr', 'de']) AS lang
WHERE l.slug = 'general';
