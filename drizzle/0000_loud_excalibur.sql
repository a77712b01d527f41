CREATE TYPE "public"."region_level" AS ENUM('nation', 'province', 'regency', 'district', 'village');--> statement-breakpoint
CREATE TABLE "pantarlih" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "pantarlih_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"phone" text NOT NULL,
	"tps_code" text NOT NULL,
	"simulated" boolean DEFAULT false NOT NULL,
	CONSTRAINT "pantarlih_phone_unique" UNIQUE("phone"),
	CONSTRAINT "pantarlih_tps_code_unique" UNIQUE("tps_code")
);
--> statement-breakpoint
CREATE TABLE "regions" (
	"code" text PRIMARY KEY NOT NULL,
	"level" "region_level" NOT NULL,
	"name" text NOT NULL,
	"parent_code" text
);
--> statement-breakpoint
CREATE TABLE "seeded_provinces" (
	"province_code" text PRIMARY KEY NOT NULL,
	"tps" integer NOT NULL,
	"seeded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tps" (
	"code" text PRIMARY KEY NOT NULL,
	"village_code" text NOT NULL,
	"number" smallint NOT NULL,
	"target" integer NOT NULL,
	"simulated" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "campaigns_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"first_day" date NOT NULL,
	"last_day" date NOT NULL,
	"simulated" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "region_progress" (
	"code" text PRIMARY KEY NOT NULL,
	"tps" integer DEFAULT 0 NOT NULL,
	"target" bigint DEFAULT 0 NOT NULL,
	"verified" bigint DEFAULT 0 NOT NULL,
	"tps_synced" integer DEFAULT 0 NOT NULL,
	"tps_complete" integer DEFAULT 0 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pantarlih" ADD CONSTRAINT "pantarlih_tps_code_tps_code_fk" FOREIGN KEY ("tps_code") REFERENCES "public"."tps"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "regions" ADD CONSTRAINT "regions_parent_code_regions_code_fk" FOREIGN KEY ("parent_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tps" ADD CONSTRAINT "tps_village_code_regions_code_fk" FOREIGN KEY ("village_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "region_progress" ADD CONSTRAINT "region_progress_code_regions_code_fk" FOREIGN KEY ("code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "regions_parent_code_idx" ON "regions" USING btree ("parent_code");--> statement-breakpoint
CREATE INDEX "tps_village_code_idx" ON "tps" USING btree ("village_code");