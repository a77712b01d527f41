-- The heartbeat log, partitioned by the phone's recorded day (00:00 WIB to 00:00 WIB) and append-only.
-- Existing rows move into day partitions; their data-quality flags move to heartbeat_flags.
ALTER TABLE "heartbeats" RENAME TO "heartbeats_unpartitioned";--> statement-breakpoint
ALTER INDEX "heartbeats_tps_code_received_at_idx" RENAME TO "heartbeats_unpartitioned_tps_idx";--> statement-breakpoint
ALTER TABLE "heartbeats_unpartitioned" RENAME CONSTRAINT "heartbeats_pkey" TO "heartbeats_unpartitioned_pkey";--> statement-breakpoint
CREATE TABLE "heartbeats" (
	"id" uuid NOT NULL,
	"tps_code" text NOT NULL,
	"pantarlih_id" integer NOT NULL,
	"device_token_id" integer NOT NULL,
	"verified" integer NOT NULL,
	"tms" integer NOT NULL,
	"new_voters" integer NOT NULL,
	"pending" integer NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"app" text,
	"battery" real,
	"lat" double precision,
	"lng" double precision,
	CONSTRAINT "heartbeats_id_recorded_at_pk" PRIMARY KEY("id","recorded_at")
) PARTITION BY RANGE ("recorded_at");--> statement-breakpoint
CREATE INDEX "heartbeats_tps_idx" ON "heartbeats" USING btree ("tps_code","received_at","id");--> statement-breakpoint
CREATE INDEX "heartbeats_received_idx" ON "heartbeats" USING brin ("received_at");--> statement-breakpoint
CREATE TABLE "heartbeats_default" PARTITION OF "heartbeats" DEFAULT;--> statement-breakpoint
DO $$
DECLARE
	day date;
BEGIN
	FOR day IN
		SELECT DISTINCT ((recorded_at AT TIME ZONE 'UTC') + interval '7 hours')::date
		FROM heartbeats_unpartitioned
	LOOP
		EXECUTE format(
			'CREATE TABLE %I PARTITION OF heartbeats FOR VALUES FROM (%L) TO (%L)',
			'heartbeats_p' || to_char(day, 'YYYYMMDD'),
			to_char(day, 'YYYY-MM-DD') || ' 00:00:00+07',
			to_char(day + 1, 'YYYY-MM-DD') || ' 00:00:00+07'
		);
	END LOOP;
END $$;--> statement-breakpoint
INSERT INTO "heartbeats" SELECT "id", "tps_code", "pantarlih_id", "device_token_id", "verified", "tms",
	"new_voters", "pending", "recorded_at", "received_at", "app", "battery", "lat", "lng"
	FROM "heartbeats_unpartitioned";--> statement-breakpoint
CREATE TABLE "heartbeat_flags" (
	"heartbeat_id" uuid NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"flags" text NOT NULL,
	"flagged_at" timestamp with time zone NOT NULL
);--> statement-breakpoint
CREATE INDEX "heartbeat_flags_heartbeat_id_idx" ON "heartbeat_flags" USING btree ("heartbeat_id");--> statement-breakpoint
INSERT INTO "heartbeat_flags" SELECT "id", "recorded_at", "anomaly", "received_at"
	FROM "heartbeats_unpartitioned" WHERE "anomaly" IS NOT NULL;--> statement-breakpoint
DROP TABLE "heartbeats_unpartitioned";--> statement-breakpoint
CREATE TABLE "heartbeat_resends" (
	"heartbeat_id" uuid NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"device_token_id" integer NOT NULL
);--> statement-breakpoint
CREATE INDEX "heartbeat_resends_heartbeat_id_idx" ON "heartbeat_resends" USING btree ("heartbeat_id");--> statement-breakpoint
CREATE TABLE "server_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);--> statement-breakpoint
CREATE FUNCTION heartbeat_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the heartbeat log is append-only: % of % refused', TG_OP, TG_TABLE_NAME;
END $$;--> statement-breakpoint
CREATE TRIGGER heartbeats_append_only BEFORE UPDATE OR DELETE ON "heartbeats"
	FOR EACH ROW EXECUTE FUNCTION heartbeat_log_is_append_only();--> statement-breakpoint
CREATE TRIGGER heartbeat_flags_append_only BEFORE UPDATE OR DELETE ON "heartbeat_flags"
	FOR EACH ROW EXECUTE FUNCTION heartbeat_log_is_append_only();--> statement-breakpoint
CREATE TRIGGER heartbeat_resends_append_only BEFORE UPDATE OR DELETE ON "heartbeat_resends"
	FOR EACH ROW EXECUTE FUNCTION heartbeat_log_is_append_only();--> statement-breakpoint
CREATE TRIGGER heartbeats_no_truncate BEFORE TRUNCATE ON "heartbeats"
	FOR EACH STATEMENT EXECUTE FUNCTION heartbeat_log_is_append_only();--> statement-breakpoint
CREATE TRIGGER heartbeat_flags_no_truncate BEFORE TRUNCATE ON "heartbeat_flags"
	FOR EACH STATEMENT EXECUTE FUNCTION heartbeat_log_is_append_only();--> statement-breakpoint
CREATE TRIGGER heartbeat_resends_no_truncate BEFORE TRUNCATE ON "heartbeat_resends"
	FOR EACH STATEMENT EXECUTE FUNCTION heartbeat_log_is_append_only();--> statement-breakpoint
ALTER TABLE "daily_snapshots" ADD COLUMN "heartbeats" integer;--> statement-breakpoint
ALTER TABLE "daily_snapshots" ADD COLUMN "digest" text;
