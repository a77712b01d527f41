DROP INDEX "alerts_open_subject_idx";--> statement-breakpoint
CREATE INDEX "alerts_open_subject_rule_idx" ON "alerts" USING btree ("subject_code","rule") WHERE status <> 'resolved';--> statement-breakpoint
CREATE INDEX "alerts_open_opened_idx" ON "alerts" USING btree ("opened_at","id") WHERE status <> 'resolved';