CREATE TABLE "demo_clock" (
	"id" smallint PRIMARY KEY NOT NULL,
	"simulated_at" timestamp with time zone NOT NULL,
	"speed" double precision NOT NULL,
	"saved_at" timestamp with time zone DEFAULT now() NOT NULL
);
