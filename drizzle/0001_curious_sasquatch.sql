CREATE TABLE "device_tokens" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "device_tokens_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"token_hash" text NOT NULL,
	"pantarlih_id" integer NOT NULL,
	"tps_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "device_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "heartbeats" (
	"id" uuid PRIMARY KEY NOT NULL,
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
	"anomaly" text
);
--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "verified" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "tms" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "new_voters" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "pending" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "recorded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "heartbeat_id" uuid;--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "first_sync_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "last_sync_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "app" text;--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "lat" double precision;--> statement-breakpoint
ALTER TABLE "tps" ADD COLUMN "lng" double precision;--> statement-breakpoint
ALTER TABLE "device_tokens" ADD CONSTRAINT "device_tokens_pantarlih_id_pantarlih_id_fk" FOREIGN KEY ("pantarlih_id") REFERENCES "public"."pantarlih"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "device_tokens_pantarlih_id_idx" ON "device_tokens" USING btree ("pantarlih_id");--> statement-breakpoint
CREATE INDEX "heartbeats_tps_code_received_at_idx" ON "heartbeats" USING btree ("tps_code","received_at");