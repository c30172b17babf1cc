-- Handles that only differ by look-alike characters ("aIice" beside "alice") are refused: each handle has a
-- skeleton, and skeletons are unique. Handles are [A-Za-z0-9_], so the look-alikes are within ASCII:
--   upper-case I and the digit 1 read as l (mapped before lower-casing, so a lower-case i, which has its
--   dot, stays i and "bill" does not collide with "blll");
--   then lower-case; the digit 0 reads as o; "rn" reads as m.
-- See docs/decisions.md. IMMUTABLE so it can be used in an index or a query plan.
CREATE FUNCTION handle_skeleton(h text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT replace(translate(lower(translate(h, 'I1', 'll')), '0', 'o'), 'rn', 'm') $$;

ALTER TABLE users ADD COLUMN handle_skeleton text NULL;

-- Existing users keep their handles: of several that already collide, the oldest holds the skeleton and
-- the others keep NULL (not in the unique index) instead of failing the migration or being renamed.
-- Guests are left out: their handles are random ("guest-" and 10 hex digits) and never compared.
UPDATE users u SET handle_skeleton = s.skeleton
FROM (SELECT id, handle_skeleton(handle) AS skeleton,
             row_number() OVER (PARTITION BY handle_skeleton(handle) ORDER BY id) AS n
      FROM users WHERE kind <> 'guest') s
WHERE u.id = s.id AND s.n = 1;

CREATE UNIQUE INDEX users_handle_skeleton_key ON users (handle_skeleton);

-- Every way a user is inserted (sign-up, guests, the service-user tool) gets its skeleton here, in one
-- place. search_path is fixed at creation so the trigger finds handle_skeleton() whatever the session's.
CREATE FUNCTION users_set_handle_skeleton() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT
AS $$
BEGIN
    NEW.handle_skeleton := CASE WHEN NEW.kind = 'guest' THEN NULL ELSE handle_skeleton(NEW.handle) END;
    RETURN NEW;
END
$$;

CREATE TRIGGER users_handle_skeleton BEFORE INSERT OR UPDATE OF handle, kind ON users
    FOR EACH ROW EXECUTE FUNCTION users_set_handle_skeleton();
