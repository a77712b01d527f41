-- Closed days of the heartbeat log moved into archive files and back (log-archive.ts); append-only.
CREATE TABLE "log_archives" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "log_archives_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"day" date NOT NULL,
	"action" text NOT NULL,
	"rows" integer NOT NULL,
	"sha256" text NOT NULL,
	"file" text NOT NULL,
	"actor" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "log_archives_action" CHECK ("log_archives"."action" in ('archive', 'restore'))
);
--> statement-breakpoint
CREATE TRIGGER log_archives_append_only BEFORE UPDATE OR DELETE ON "log_archives"
	FOR EACH ROW EXECUTE FUNCTION heartbeat_log_is_append_only();--> statement-breakpoint
CREATE TRIGGER log_archives_no_truncate BEFORE TRUNCATE ON "log_archives"
	FOR EACH STATEMENT EXECUTE FUNCTION heartbeat_log_is_append_only();
