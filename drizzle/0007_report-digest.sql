ALTER TABLE "daily_snapshots" ADD COLUMN "sync_states" integer[];--> statement-breakpoint
ALTER TABLE "daily_snapshots" ADD COLUMN "largest_gaps" jsonb;