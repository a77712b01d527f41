-- TPS progress and region roll-ups are rewritten by every sync. Half-empty pages let PostgreSQL
-- update those rows in place (HOT: no new index entries), about 4x cheaper per row here.
-- Applies to pages written from now on, i.e. to everything the seed loads.
ALTER TABLE "tps" SET (fillfactor = 50);--> statement-breakpoint
ALTER TABLE "region_progress" SET (fillfactor = 50);
