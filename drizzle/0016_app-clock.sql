-- The application's "now" in the database: the demo's compressed clock while a demo server runs
-- (it saves its clock in demo_clock every few seconds), the real clock otherwise. Times that pages
-- show beside heartbeats (tokens issued and revoked, audit entries, accounts, plan edits, archives)
-- default to it, so a demo never shows an act before its cause. A demo clock not saved for a
-- minute (its server stopped) stands where it stopped, as the demo resumes from there.
CREATE FUNCTION app_now() RETURNS timestamptz LANGUAGE sql STABLE AS $$
	SELECT coalesce(
		(SELECT CASE WHEN now() - saved_at < interval '1 minute'
			THEN simulated_at + (now() - saved_at) * speed
			ELSE simulated_at END
		FROM demo_clock WHERE id = 1 AND speed <> 1),
		now())
$$;
