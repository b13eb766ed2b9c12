CREATE TABLE "notification_digest" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"count" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement_stat" (
	"settlement_id" uuid PRIMARY KEY NOT NULL,
	"region_path" text NOT NULL,
	"dirty" boolean DEFAULT true NOT NULL,
	"counted_on" date,
	"households" integer DEFAULT 0 NOT NULL,
	"people" integer DEFAULT 0 NOT NULL,
	"laborers" integer DEFAULT 0 NOT NULL,
	"employed_laborers" integer DEFAULT 0 NOT NULL,
	"labor_households" integer DEFAULT 0 NOT NULL,
	"zero_employment_households" integer DEFAULT 0 NOT NULL,
	"elderly" integer DEFAULT 0 NOT NULL,
	"children" integer DEFAULT 0 NOT NULL,
	"counted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "notification_outbox" ALTER COLUMN "notification_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "user" ADD COLUMN "notify_digest" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD COLUMN "user_id" uuid;--> statement-breakpoint
UPDATE "notification_outbox" o SET "user_id" = n."user_id" FROM "notification" n WHERE n."id" = o."notification_id";--> statement-breakpoint
ALTER TABLE "notification_outbox" ALTER COLUMN "user_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_digest" ADD CONSTRAINT "notification_digest_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_stat" ADD CONSTRAINT "settlement_stat_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_digest_user_day_key" ON "notification_digest" USING btree ("user_id","day");--> statement-breakpoint
CREATE INDEX "settlement_stat_region_idx" ON "settlement_stat" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "settlement_stat_stale_idx" ON "settlement_stat" USING btree ("counted_on","dirty");--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD CONSTRAINT "notification_outbox_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Every point has its figures row, dirty until first counted.
INSERT INTO settlement_stat (settlement_id, region_path) SELECT id, region_path FROM settlement;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION settlement_stat_new_settlement() RETURNS trigger AS $$
BEGIN
	INSERT INTO settlement_stat (settlement_id, region_path)
		SELECT id, region_path FROM new_rows
		ON CONFLICT (settlement_id) DO UPDATE SET region_path = excluded.region_path, dirty = true;
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER settlement_stat_on_settlement_insert AFTER INSERT ON settlement
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION settlement_stat_new_settlement();
--> statement-breakpoint
CREATE TRIGGER settlement_stat_on_settlement_update AFTER UPDATE ON settlement
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION settlement_stat_new_settlement();
--> statement-breakpoint
-- A register change marks its points' figures dirty: once per statement, however many rows it touched.
CREATE OR REPLACE FUNCTION settlement_stat_dirty_households() RETURNS trigger AS $$
BEGIN
	UPDATE settlement_stat s SET dirty = true
		WHERE NOT s.dirty AND s.settlement_id IN (SELECT settlement_id FROM changed_rows);
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION settlement_stat_dirty_residents() RETURNS trigger AS $$
BEGIN
	UPDATE settlement_stat s SET dirty = true
		WHERE NOT s.dirty AND s.settlement_id IN (
			SELECT h.settlement_id FROM household h WHERE h.id IN (SELECT household_id FROM changed_rows)
		);
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER settlement_stat_household_insert AFTER INSERT ON household
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION settlement_stat_dirty_households();
--> statement-breakpoint
CREATE TRIGGER settlement_stat_household_update AFTER UPDATE ON household
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION settlement_stat_dirty_households();
--> statement-breakpoint
CREATE TRIGGER settlement_stat_household_update_new AFTER UPDATE ON household
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION settlement_stat_dirty_households();
--> statement-breakpoint
CREATE TRIGGER settlement_stat_resident_insert AFTER INSERT ON resident
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION settlement_stat_dirty_residents();
--> statement-breakpoint
CREATE TRIGGER settlement_stat_resident_update AFTER UPDATE ON resident
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION settlement_stat_dirty_residents();
--> statement-breakpoint
CREATE TRIGGER settlement_stat_resident_delete AFTER DELETE ON resident
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION settlement_stat_dirty_residents();
