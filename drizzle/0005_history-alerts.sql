CREATE TABLE "alert_settings" (
	"id" smallint PRIMARY KEY NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" integer
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alerts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"rule" text NOT NULL,
	"subject_code" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"details" jsonb NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" integer,
	"note" text,
	"resolved_at" timestamp with time zone,
	"resolved_by" integer
);
--> statement-breakpoint
CREATE TABLE "curve_overrides" (
	"region_code" text PRIMARY KEY NOT NULL,
	"points" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "daily_snapshots" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "daily_snapshots_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"region_code" text NOT NULL,
	"date" date NOT NULL,
	"verified" integer NOT NULL,
	"target" integer NOT NULL,
	"tps" integer NOT NULL,
	"tps_synced" integer NOT NULL,
	"tps_synced_today" integer NOT NULL,
	"tps_complete" integer NOT NULL,
	"silent_pantarlih" integer NOT NULL,
	"target_share" double precision NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"corrects_id" integer,
	"reason" text
);
--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "progress_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "pending_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "points" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "curve_overrides" ADD CONSTRAINT "curve_overrides_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_one_open_idx" ON "alerts" USING btree ("rule","subject_code") WHERE status <> 'resolved';--> statement-breakpoint
CREATE INDEX "alerts_subject_idx" ON "alerts" USING btree ("subject_code");--> statement-breakpoint
CREATE INDEX "alerts_status_idx" ON "alerts" USING btree ("status");--> statement-breakpoint
CREATE INDEX "daily_snapshots_region_date_idx" ON "daily_snapshots" USING btree ("region_code","date");--> statement-breakpoint
CREATE UNIQUE INDEX "daily_snapshots_original_idx" ON "daily_snapshots" USING btree ("region_code","date") WHERE corrects_id is null;--> statement-breakpoint
CREATE FUNCTION daily_snapshots_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'daily_snapshots rows are immutable: insert a correction that names the row it corrects';
END;
$$;--> statement-breakpoint
CREATE TRIGGER daily_snapshots_immutable BEFORE UPDATE OR DELETE ON "daily_snapshots"
	FOR EACH ROW EXECUTE FUNCTION daily_snapshots_are_immutable();
