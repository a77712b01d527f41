CREATE TABLE "heartbeat_log" (
	"id" uuid PRIMARY KEY NOT NULL,
	"content" "bytea" NOT NULL,
	"tps_code" text NOT NULL,
	"device_token_id" integer NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"log_index" bigint
);
--> statement-breakpoint
CREATE TABLE "log_checkpoints" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"root" "bytea" NOT NULL,
	"note" text NOT NULL,
	"signed_at" timestamp with time zone DEFAULT app_now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_cosignatures" (
	"witness_id" integer NOT NULL,
	"tree_size" bigint NOT NULL,
	"line" text NOT NULL,
	"cosigned_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT app_now() NOT NULL,
	CONSTRAINT "log_cosignatures_witness_id_tree_size_pk" PRIMARY KEY("witness_id","tree_size")
);
--> statement-breakpoint
CREATE TABLE "log_day_notes" (
	"zone" text NOT NULL,
	"day" date NOT NULL,
	"note" text NOT NULL,
	"signed_at" timestamp with time zone DEFAULT app_now() NOT NULL,
	CONSTRAINT "log_day_notes_zone_day_pk" PRIMARY KEY("zone","day")
);
--> statement-breakpoint
CREATE TABLE "log_head" (
	"one" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"size" bigint DEFAULT 0 NOT NULL,
	"tree_size" bigint DEFAULT 0 NOT NULL,
	"root" "bytea" NOT NULL,
	CONSTRAINT "log_head_one" CHECK ("log_head"."one")
);
--> statement-breakpoint
CREATE TABLE "log_keys" (
	"verifier" text PRIMARY KEY NOT NULL,
	"first_size" bigint NOT NULL,
	"added_at" timestamp with time zone DEFAULT app_now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_tiles" (
	"level" smallint NOT NULL,
	"idx" bigint NOT NULL,
	"hashes" "bytea" NOT NULL,
	CONSTRAINT "log_tiles_level_idx_pk" PRIMARY KEY("level","idx"),
	CONSTRAINT "log_tiles_width" CHECK (octet_length("log_tiles"."hashes") between 32 and 8192 and octet_length("log_tiles"."hashes") % 32 = 0)
);
--> statement-breakpoint
CREATE TABLE "log_witnesses" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "log_witnesses_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"verifier" text NOT NULL,
	"label" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT app_now() NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "log_witnesses_name_unique" UNIQUE("name"),
	CONSTRAINT "log_witnesses_verifier_unique" UNIQUE("verifier")
);
--> statement-breakpoint
ALTER TABLE "log_cosignatures" ADD CONSTRAINT "log_cosignatures_witness_id_log_witnesses_id_fk" FOREIGN KEY ("witness_id") REFERENCES "public"."log_witnesses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "log_cosignatures" ADD CONSTRAINT "log_cosignatures_tree_size_log_checkpoints_tree_size_fk" FOREIGN KEY ("tree_size") REFERENCES "public"."log_checkpoints"("tree_size") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "heartbeat_log_unsequenced_idx" ON "heartbeat_log" USING btree ("id") WHERE "heartbeat_log"."log_index" is null;--> statement-breakpoint
CREATE INDEX "log_cosignatures_tree_size_idx" ON "log_cosignatures" USING btree ("tree_size");--> statement-breakpoint
INSERT INTO "log_head" ("root") VALUES (sha256(''::bytea));--> statement-breakpoint
-- Hashes do not compress: a tile is stored as it is, without a compression attempt at each append.
ALTER TABLE "log_tiles" ALTER COLUMN "hashes" SET STORAGE EXTERNAL;--> statement-breakpoint
-- What a phone sent under one id, as a fingerprint: two heartbeats with one id and another
-- fingerprint are a conflict. Exact binary forms (no text formatting of numbers or times).
CREATE FUNCTION heartbeat_content(tps text, recorded_at timestamptz, verified integer, tms integer,
	new_voters integer, pending integer, app text, battery real, lat double precision,
	lng double precision) RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT substring(sha256(
		int8send((extract(epoch FROM recorded_at) * 1000000)::bigint)
		|| int4send(verified) || int4send(tms) || int4send(new_voters) || int4send(pending)
		|| CASE WHEN battery IS NULL THEN '\x00'::bytea ELSE '\x01'::bytea || float4send(battery) END
		|| CASE WHEN lat IS NULL THEN '\x00'::bytea ELSE '\x01'::bytea || float8send(lat) END
		|| CASE WHEN lng IS NULL THEN '\x00'::bytea ELSE '\x01'::bytea || float8send(lng) END
		|| CASE WHEN app IS NULL THEN '\x00'::bytea
			ELSE '\x01'::bytea || int4send(octet_length(app)) || convert_to(app, 'UTF8') END
		|| convert_to(tps, 'UTF8')) FROM 1 FOR 16)
$$;--> statement-breakpoint
-- The ids of a commit already registered, with their content and index, by primary key whatever
-- the statistics say: a plan cached while the table was small would read all of it every time.
CREATE FUNCTION heartbeat_log_of(ids uuid[]) RETURNS TABLE (id uuid, content bytea, log_index bigint)
LANGUAGE sql STABLE SET enable_seqscan = off AS $$
	SELECT h.id, h.content, h.log_index FROM heartbeat_log h WHERE h.id = ANY (ids)
$$;--> statement-breakpoint
-- The log's tables only grow: a heartbeat's row never changes (but for an index given once to a
-- heartbeat stored before the log existed); a tile only gets hashes appended; nothing is deleted.
CREATE FUNCTION heartbeat_log_grows_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	-- Each table's fields in its own branch: a record has only its own table's fields.
	IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'heartbeat_log' THEN
		IF OLD.log_index IS NULL AND NEW.log_index IS NOT NULL
			AND (NEW.id, NEW.content, NEW.tps_code, NEW.device_token_id, NEW.recorded_at)
				= (OLD.id, OLD.content, OLD.tps_code, OLD.device_token_id, OLD.recorded_at) THEN
			RETURN NEW;
		END IF;
	ELSIF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'log_tiles' THEN
		IF (NEW.level, NEW.idx) = (OLD.level, OLD.idx)
			AND octet_length(NEW.hashes) > octet_length(OLD.hashes)
			AND substring(NEW.hashes FROM 1 FOR octet_length(OLD.hashes)) = OLD.hashes THEN
			RETURN NEW;
		END IF;
	END IF;
	RAISE EXCEPTION 'the transparency log only grows: % of % refused', TG_OP, TG_TABLE_NAME;
END $$;--> statement-breakpoint
CREATE TRIGGER heartbeat_log_grows_only BEFORE UPDATE OR DELETE ON "heartbeat_log"
	FOR EACH ROW EXECUTE FUNCTION heartbeat_log_grows_only();--> statement-breakpoint
CREATE TRIGGER log_tiles_grow_only BEFORE UPDATE OR DELETE ON "log_tiles"
	FOR EACH ROW EXECUTE FUNCTION heartbeat_log_grows_only();--> statement-breakpoint
CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE ON "log_checkpoints"
	FOR EACH ROW EXECUTE FUNCTION heartbeat_log_is_append_only();--> statement-breakpoint
CREATE TRIGGER log_cosignatures_append_only BEFORE UPDATE OR DELETE ON "log_cosignatures"
	FOR EACH ROW EXECUTE FUNCTION heartbeat_log_is_append_only();--> statement-breakpoint
CREATE TRIGGER heartbeat_log_no_truncate BEFORE TRUNCATE ON "heartbeat_log"
	FOR EACH STATEMENT EXECUTE FUNCTION heartbeat_log_is_append_only();--> statement-breakpoint
CREATE TRIGGER log_tiles_no_truncate BEFORE TRUNCATE ON "log_tiles"
	FOR EACH STATEMENT EXECUTE FUNCTION heartbeat_log_is_append_only();--> statement-breakpoint
-- Heartbeats stored before this version join the log: the first of each id (by receive time) is
-- registered without an index; the server sequences them at start (evidence/tree.ts).
INSERT INTO "heartbeat_log" (id, content, tps_code, device_token_id, recorded_at)
SELECT DISTINCT ON (id) id, heartbeat_content(tps_code, recorded_at, verified, tms, new_voters,
	pending, app, battery, lat, lng), tps_code, device_token_id, recorded_at
FROM heartbeats ORDER BY id, received_at, recorded_at;--> statement-breakpoint
CREATE TRIGGER log_day_notes_append_only BEFORE UPDATE OR DELETE ON "log_day_notes"
	FOR EACH ROW EXECUTE FUNCTION heartbeat_log_is_append_only();
