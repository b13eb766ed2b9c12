ALTER TABLE "settlement_stat" ADD COLUMN "employed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "settlement_stat" ADD COLUMN "public_posts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- counted again, with the two new figures, when next read (or by the timer)
UPDATE "settlement_stat" SET "dirty" = true;
