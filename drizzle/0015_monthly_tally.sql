CREATE TABLE "monthly_tally" (
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"month" text NOT NULL,
	"measure" text NOT NULL,
	"bucket" integer DEFAULT 0 NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "monthly_tally_settlement_id_month_measure_bucket_pk" PRIMARY KEY("settlement_id","month","measure","bucket")
);
--> statement-breakpoint
ALTER TABLE "monthly_tally" ADD CONSTRAINT "monthly_tally_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "monthly_tally_region_idx" ON "monthly_tally" USING btree ("month","region_path" text_pattern_ops);