-- The log's key with time first: a new heartbeat lands at the right edge of its day's index
-- instead of on a random page of a random-UUID index (the same key, so idempotency is unchanged).
ALTER TABLE "heartbeats" DROP CONSTRAINT "heartbeats_id_recorded_at_pk";--> statement-breakpoint
ALTER TABLE "heartbeats" ADD CONSTRAINT "heartbeats_recorded_at_id_pk" PRIMARY KEY("recorded_at","id");--> statement-breakpoint
-- TRUNCATE triggers are per statement, which PostgreSQL does not copy onto partitions: each
-- partition refuses TRUNCATE itself (new ones get the trigger when the server makes them).
DO $$
DECLARE
	part regclass;
BEGIN
	FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'heartbeats'::regclass LOOP
		EXECUTE format(
			'CREATE TRIGGER heartbeats_no_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION heartbeat_log_is_append_only()',
			part
		);
	END LOOP;
END $$;
