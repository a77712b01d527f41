CREATE TABLE "followups" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "followups_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"tps_code" text NOT NULL,
	"user_id" integer NOT NULL,
	"author" text NOT NULL,
	"note" text NOT NULL,
	"contacted" boolean DEFAULT false NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "followups_tps_idx" ON "followups" USING btree ("tps_code","at");