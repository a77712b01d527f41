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
CREATE TABLE "log_pending" (
	"id" uuid PRIMARY KEY NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL
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
CREATE INDEX "log_cosignatures_tree_size_idx" ON "log_cosignatures" USING btree ("tree_size");--> statement-breakpoint
-- Room on each page for the one update a row gets (its log index), so that it stays a HOT update
-- and touches no index.
ALTER TABLE "heartbeat_log" SET (fillfactor = 90);--> statement-breakpoint
INSERT INTO "log_head" ("root") VALUES (sha256(''::bytea));--> statement-breakpoint
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
-- Sequencing: gives the next log indexes, in the order given, to those of `entries` ([[id, leaf
-- hash in hex], ...]) still waiting in log_pending, appends their leaf hashes to the level-0
-- tiles, and answers every given id with its index. The head row's lock makes one sequencer at a
-- time across every process; each statement after it reads what the previous holder committed.
CREATE FUNCTION log_sequence(entries json) RETURNS TABLE (id uuid, log_index bigint)
LANGUAGE plpgsql AS $$
DECLARE
	base bigint;
	given uuid[];
	ids uuid[];
	leaves bytea[];
	n integer;
	i integer := 1;
	take integer;
BEGIN
	SELECT h.size INTO base FROM log_head h FOR UPDATE;
	-- Every lookup below goes by primary key (enable_seqscan is off for this function: a plan
	-- cached while heartbeat_log was small read the whole table at every call, for good).
	SELECT coalesce(array_agg((e.v ->> 0)::uuid ORDER BY e.ord), '{}') INTO given
	FROM json_array_elements(entries) WITH ORDINALITY AS e(v, ord);
	SELECT coalesce(array_agg(w.id ORDER BY w.ord), '{}'), coalesce(array_agg(w.leaf ORDER BY w.ord), '{}')
	INTO ids, leaves
	FROM (SELECT (e.v ->> 0)::uuid AS id, decode(e.v ->> 1, 'hex') AS leaf, e.ord
		FROM json_array_elements(entries) WITH ORDINALITY AS e(v, ord)) w
	JOIN (SELECT p.id FROM log_pending p WHERE p.id = ANY (given)) p ON p.id = w.id
	WHERE w.leaf IS NOT NULL;
	n := coalesce(array_length(ids, 1), 0);
	IF n > 0 THEN
		UPDATE heartbeat_log h SET log_index = base + u.ord - 1
		FROM unnest(ids) WITH ORDINALITY AS u(id, ord) WHERE h.id = u.id AND h.id = ANY (ids);
		DELETE FROM log_pending p WHERE p.id = ANY (ids);
		WHILE i <= n LOOP
			take := least(256 - ((base + i - 1) % 256)::integer, n - i + 1);
			INSERT INTO log_tiles AS t (level, idx, hashes)
			VALUES (0, (base + i - 1) / 256,
				(SELECT string_agg(x.l, ''::bytea ORDER BY x.o)
				FROM unnest(leaves[i:i + take - 1]) WITH ORDINALITY AS x(l, o)))
			ON CONFLICT (level, idx) DO UPDATE SET hashes = t.hashes || excluded.hashes;
			i := i + take;
		END LOOP;
		UPDATE log_head SET size = base + n;
	END IF;
	RETURN QUERY SELECT h.id, h.log_index FROM heartbeat_log h WHERE h.id = ANY (given);
END $$ SET enable_seqscan = off;--> statement-breakpoint
-- The ids of a commit already registered, with their content and index: for the commit
-- statement, by primary key whatever the statistics say (see log_sequence).
CREATE FUNCTION heartbeat_log_of(ids uuid[]) RETURNS TABLE (id uuid, content bytea, log_index bigint)
LANGUAGE sql STABLE SET enable_seqscan = off AS $$
	SELECT h.id, h.content, h.log_index FROM heartbeat_log h WHERE h.id = ANY (ids)
$$;--> statement-breakpoint
-- A queue: every row is deleted within milliseconds; vacuum it often so that it stays small.
ALTER TABLE "log_pending" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
	autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000);--> statement-breakpoint
-- The log's tables only grow: a heartbeat's row gets its index once and never changes again; a
-- tile only gets hashes appended; nothing is deleted (log_pending, a queue, excepted).
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
-- Heartbeats stored before this version join the log: the first of each id (by receive time)
-- is registered and waits to be sequenced (the server does it at start, evidence/tree.ts).
INSERT INTO "heartbeat_log" (id, content, tps_code, device_token_id, recorded_at)
SELECT DISTINCT ON (id) id, heartbeat_content(tps_code, recorded_at, verified, tms, new_voters,
	pending, app, battery, lat, lng), tps_code, device_token_id, recorded_at
FROM heartbeats ORDER BY id, received_at, recorded_at;--> statement-breakpoint
INSERT INTO "log_pending" (id, recorded_at, since)
SELECT id, recorded_at, '-infinity' FROM heartbeat_log;
