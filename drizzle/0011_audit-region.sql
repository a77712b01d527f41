-- Audit entries are filed under the region they are about; readers see their own scope's.
ALTER TABLE "audit_log" ADD COLUMN "region_code" text;--> statement-breakpoint
CREATE INDEX "audit_log_region_idx" ON "audit_log" USING btree ("region_code","id");