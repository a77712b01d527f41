-- Every revocation of a device token, however it is made (a page, the CLI, plain SQL), is announced
-- on the 'device_tokens_revoked' channel with the token's TPS code. Servers LISTEN and forget that
-- TPS's tokens at once, so their token caches can keep answers for long. A row trigger on the one
-- column, so the minute's last-used updates (thousands of rows) never run it.
CREATE FUNCTION device_tokens_announce_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('device_tokens_revoked', NEW.tps_code);
	RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER device_tokens_revoked AFTER UPDATE OF revoked_at ON device_tokens
	FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
	EXECUTE FUNCTION device_tokens_announce_revoked();
