CREATE TABLE "ceremony_filing" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"household_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"event_on" date NOT NULL,
	"tables" integer NOT NULL,
	"guests" integer NOT NULL,
	"bride_price" bigint,
	"banquet_days" integer,
	"gifts" text DEFAULT '' NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"over_cap" boolean DEFAULT false NOT NULL,
	"breaches" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'filed' NOT NULL,
	"follow_up" text,
	"savings" bigint,
	"followed_up_by" uuid,
	"followed_up_at" timestamp with time zone,
	"filed_by" uuid NOT NULL,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ceremony_filing_counts" CHECK ("ceremony_filing"."tables" >= 0 and "ceremony_filing"."guests" >= 0)
);
--> statement-breakpoint
CREATE TABLE "council" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"quorum_rule" text DEFAULT 'majority' NOT NULL,
	"charter" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "council_member" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"council_id" uuid NOT NULL,
	"name" text NOT NULL,
	"resident_id" uuid,
	"user_id" uuid,
	"role" text DEFAULT 'member' NOT NULL,
	"term_start" date NOT NULL,
	"term_end" date NOT NULL,
	"ended_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "council_member_term" CHECK ("council_member"."term_end" >= "council_member"."term_start")
);
--> statement-breakpoint
CREATE TABLE "decision" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"no" bigint GENERATED ALWAYS AS IDENTITY (sequence name "decision_no_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"title" text NOT NULL,
	"summary" text NOT NULL,
	"rule_version_id" uuid,
	"status" text DEFAULT 'in_progress' NOT NULL,
	"stage" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "decision_stage" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"decision_id" uuid NOT NULL,
	"stage" text NOT NULL,
	"held_on" date NOT NULL,
	"participants" text NOT NULL,
	"attendees" integer DEFAULT 0 NOT NULL,
	"votes_for" integer,
	"votes_against" integer,
	"votes_abstain" integer,
	"passed" boolean,
	"minutes" text NOT NULL,
	"evidence" text DEFAULT '' NOT NULL,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "meeting" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"council_id" uuid NOT NULL,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"title" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"place" text DEFAULT '' NOT NULL,
	"agenda" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"serving_members" integer,
	"minutes" text,
	"closed_at" timestamp with time zone,
	"closed_by" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "meeting_amendment" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"note" text NOT NULL,
	"author_id" uuid NOT NULL,
	"author_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "meeting_attendance" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"member_id" uuid,
	"resident_id" uuid,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "meeting_resolution" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"no" integer NOT NULL,
	"text" text NOT NULL,
	"passed" boolean,
	"votes_for" integer DEFAULT 0 NOT NULL,
	"votes_against" integer DEFAULT 0 NOT NULL,
	"votes_abstain" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "meeting_vote" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"resolution_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"choice" text NOT NULL,
	"recorded_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "points_account" (
	"household_id" uuid PRIMARY KEY NOT NULL,
	"settlement_id" uuid NOT NULL,
	"balance" integer DEFAULT 0 NOT NULL,
	"earned" integer DEFAULT 0 NOT NULL,
	"spent" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "points_appeal" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entry_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"decision_note" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"reversal_entry_id" uuid,
	"filed_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "points_entry" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"no" bigint GENERATED ALWAYS AS IDENTITY (sequence name "points_entry_no_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"household_id" uuid NOT NULL,
	"resident_id" uuid,
	"delta" integer NOT NULL,
	"source" text NOT NULL,
	"item_code" text,
	"rule_version_id" uuid,
	"reason" text NOT NULL,
	"reverses_id" uuid,
	"ref" text,
	"created_by" uuid,
	"created_by_name" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "points_entry_delta_nonzero" CHECK ("points_entry"."delta" <> 0)
);
--> statement-breakpoint
CREATE TABLE "redemption" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"item_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"settlement_id" uuid NOT NULL,
	"quantity" smallint NOT NULL,
	"cost" integer NOT NULL,
	"entry_id" uuid NOT NULL,
	"redeemed_by" uuid NOT NULL,
	"idempotency_key" text,
	"handed_over_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "redemption_quantity_positive" CHECK ("redemption"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "rule" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rule_comment" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version_id" uuid NOT NULL,
	"clause_no" integer NOT NULL,
	"author_id" uuid NOT NULL,
	"household_id" uuid,
	"body" text NOT NULL,
	"reply" text,
	"replied_by" uuid,
	"replied_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rule_version" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rule_id" uuid NOT NULL,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"version_no" integer NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"clauses" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"caps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"point_items" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"consultation_ends_on" date,
	"consultation_opened_at" timestamp with time zone,
	"adopted_by_decision_id" uuid,
	"adopted_on" date,
	"superseded_on" date,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shop_item" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"name" text NOT NULL,
	"unit" text DEFAULT '件' NOT NULL,
	"cost" integer NOT NULL,
	"stock" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shop_item_stock_nonnegative" CHECK ("shop_item"."stock" >= 0),
	CONSTRAINT "shop_item_cost_positive" CHECK ("shop_item"."cost" > 0)
);
--> statement-breakpoint
CREATE TABLE "shop_restock" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"item_id" uuid NOT NULL,
	"quantity" integer NOT NULL,
	"donor_organization_id" uuid,
	"donor_name" text DEFAULT '' NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shop_restock_quantity_positive" CHECK ("shop_restock"."quantity" > 0)
);
--> statement-breakpoint
ALTER TABLE "ceremony_filing" ADD CONSTRAINT "ceremony_filing_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ceremony_filing" ADD CONSTRAINT "ceremony_filing_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ceremony_filing" ADD CONSTRAINT "ceremony_filing_followed_up_by_user_id_fk" FOREIGN KEY ("followed_up_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ceremony_filing" ADD CONSTRAINT "ceremony_filing_filed_by_user_id_fk" FOREIGN KEY ("filed_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "council" ADD CONSTRAINT "council_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "council_member" ADD CONSTRAINT "council_member_council_id_council_id_fk" FOREIGN KEY ("council_id") REFERENCES "public"."council"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "council_member" ADD CONSTRAINT "council_member_resident_id_resident_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."resident"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "council_member" ADD CONSTRAINT "council_member_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decision" ADD CONSTRAINT "decision_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decision" ADD CONSTRAINT "decision_rule_version_id_rule_version_id_fk" FOREIGN KEY ("rule_version_id") REFERENCES "public"."rule_version"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decision" ADD CONSTRAINT "decision_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decision_stage" ADD CONSTRAINT "decision_stage_decision_id_decision_id_fk" FOREIGN KEY ("decision_id") REFERENCES "public"."decision"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decision_stage" ADD CONSTRAINT "decision_stage_recorded_by_user_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting" ADD CONSTRAINT "meeting_council_id_council_id_fk" FOREIGN KEY ("council_id") REFERENCES "public"."council"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting" ADD CONSTRAINT "meeting_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting" ADD CONSTRAINT "meeting_closed_by_user_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting" ADD CONSTRAINT "meeting_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_amendment" ADD CONSTRAINT "meeting_amendment_meeting_id_meeting_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meeting"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_amendment" ADD CONSTRAINT "meeting_amendment_author_id_user_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_attendance" ADD CONSTRAINT "meeting_attendance_meeting_id_meeting_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meeting"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_attendance" ADD CONSTRAINT "meeting_attendance_member_id_council_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."council_member"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_attendance" ADD CONSTRAINT "meeting_attendance_resident_id_resident_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."resident"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_resolution" ADD CONSTRAINT "meeting_resolution_meeting_id_meeting_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meeting"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_vote" ADD CONSTRAINT "meeting_vote_resolution_id_meeting_resolution_id_fk" FOREIGN KEY ("resolution_id") REFERENCES "public"."meeting_resolution"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_vote" ADD CONSTRAINT "meeting_vote_member_id_council_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."council_member"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_vote" ADD CONSTRAINT "meeting_vote_recorded_by_user_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_account" ADD CONSTRAINT "points_account_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_account" ADD CONSTRAINT "points_account_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_appeal" ADD CONSTRAINT "points_appeal_entry_id_points_entry_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."points_entry"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_appeal" ADD CONSTRAINT "points_appeal_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_appeal" ADD CONSTRAINT "points_appeal_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_appeal" ADD CONSTRAINT "points_appeal_decided_by_user_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_appeal" ADD CONSTRAINT "points_appeal_reversal_entry_id_points_entry_id_fk" FOREIGN KEY ("reversal_entry_id") REFERENCES "public"."points_entry"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_appeal" ADD CONSTRAINT "points_appeal_filed_by_user_id_fk" FOREIGN KEY ("filed_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_entry" ADD CONSTRAINT "points_entry_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_entry" ADD CONSTRAINT "points_entry_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_entry" ADD CONSTRAINT "points_entry_resident_id_resident_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."resident"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_entry" ADD CONSTRAINT "points_entry_rule_version_id_rule_version_id_fk" FOREIGN KEY ("rule_version_id") REFERENCES "public"."rule_version"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_entry" ADD CONSTRAINT "points_entry_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemption" ADD CONSTRAINT "redemption_item_id_shop_item_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."shop_item"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemption" ADD CONSTRAINT "redemption_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemption" ADD CONSTRAINT "redemption_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemption" ADD CONSTRAINT "redemption_entry_id_points_entry_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."points_entry"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemption" ADD CONSTRAINT "redemption_redeemed_by_user_id_fk" FOREIGN KEY ("redeemed_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule" ADD CONSTRAINT "rule_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule" ADD CONSTRAINT "rule_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_comment" ADD CONSTRAINT "rule_comment_version_id_rule_version_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."rule_version"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_comment" ADD CONSTRAINT "rule_comment_author_id_user_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_comment" ADD CONSTRAINT "rule_comment_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_comment" ADD CONSTRAINT "rule_comment_replied_by_user_id_fk" FOREIGN KEY ("replied_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_version" ADD CONSTRAINT "rule_version_rule_id_rule_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."rule"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_version" ADD CONSTRAINT "rule_version_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_version" ADD CONSTRAINT "rule_version_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_item" ADD CONSTRAINT "shop_item_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_restock" ADD CONSTRAINT "shop_restock_item_id_shop_item_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."shop_item"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_restock" ADD CONSTRAINT "shop_restock_donor_organization_id_organization_id_fk" FOREIGN KEY ("donor_organization_id") REFERENCES "public"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_restock" ADD CONSTRAINT "shop_restock_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ceremony_filing_settlement_idx" ON "ceremony_filing" USING btree ("settlement_id","event_on");--> statement-breakpoint
CREATE INDEX "ceremony_filing_region_idx" ON "ceremony_filing" USING btree ("region_path" text_pattern_ops,"event_on");--> statement-breakpoint
CREATE INDEX "ceremony_filing_household_idx" ON "ceremony_filing" USING btree ("household_id","event_on");--> statement-breakpoint
CREATE UNIQUE INDEX "ceremony_filing_idempotency_key" ON "ceremony_filing" USING btree ("filed_by","idempotency_key") WHERE "ceremony_filing"."idempotency_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "council_settlement_kind_key" ON "council" USING btree ("settlement_id","kind");--> statement-breakpoint
CREATE INDEX "council_region_idx" ON "council" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "council_member_council_idx" ON "council_member" USING btree ("council_id");--> statement-breakpoint
CREATE INDEX "council_member_user_idx" ON "council_member" USING btree ("user_id") WHERE "council_member"."user_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "decision_no_key" ON "decision" USING btree ("no");--> statement-breakpoint
CREATE INDEX "decision_settlement_idx" ON "decision" USING btree ("settlement_id","no");--> statement-breakpoint
CREATE INDEX "decision_region_idx" ON "decision" USING btree ("region_path" text_pattern_ops,"no");--> statement-breakpoint
CREATE UNIQUE INDEX "decision_rule_version_key" ON "decision" USING btree ("rule_version_id") WHERE "decision"."rule_version_id" is not null and "decision"."status" <> 'failed';--> statement-breakpoint
CREATE UNIQUE INDEX "decision_stage_key" ON "decision_stage" USING btree ("decision_id","stage");--> statement-breakpoint
CREATE INDEX "meeting_council_idx" ON "meeting" USING btree ("council_id","starts_at");--> statement-breakpoint
CREATE INDEX "meeting_settlement_idx" ON "meeting" USING btree ("settlement_id","starts_at");--> statement-breakpoint
CREATE INDEX "meeting_amendment_meeting_idx" ON "meeting_amendment" USING btree ("meeting_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "meeting_attendance_member_key" ON "meeting_attendance" USING btree ("meeting_id","member_id") WHERE "meeting_attendance"."member_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "meeting_attendance_resident_key" ON "meeting_attendance" USING btree ("meeting_id","resident_id") WHERE "meeting_attendance"."resident_id" is not null;--> statement-breakpoint
CREATE INDEX "meeting_attendance_meeting_idx" ON "meeting_attendance" USING btree ("meeting_id");--> statement-breakpoint
CREATE UNIQUE INDEX "meeting_resolution_no_key" ON "meeting_resolution" USING btree ("meeting_id","no");--> statement-breakpoint
CREATE UNIQUE INDEX "meeting_vote_member_key" ON "meeting_vote" USING btree ("resolution_id","member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "points_appeal_open_key" ON "points_appeal" USING btree ("entry_id") WHERE "points_appeal"."status" = 'open';--> statement-breakpoint
CREATE INDEX "points_appeal_settlement_idx" ON "points_appeal" USING btree ("settlement_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "points_entry_no_key" ON "points_entry" USING btree ("no");--> statement-breakpoint
CREATE INDEX "points_entry_household_idx" ON "points_entry" USING btree ("household_id","no");--> statement-breakpoint
CREATE INDEX "points_entry_settlement_idx" ON "points_entry" USING btree ("settlement_id","no");--> statement-breakpoint
CREATE UNIQUE INDEX "points_entry_reverses_key" ON "points_entry" USING btree ("reverses_id") WHERE "points_entry"."reverses_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "points_entry_ref_key" ON "points_entry" USING btree ("ref") WHERE "points_entry"."ref" is not null;--> statement-breakpoint
CREATE INDEX "redemption_household_idx" ON "redemption" USING btree ("household_id","created_at");--> statement-breakpoint
CREATE INDEX "redemption_item_idx" ON "redemption" USING btree ("item_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "redemption_idempotency_key" ON "redemption" USING btree ("redeemed_by","idempotency_key") WHERE "redemption"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "rule_settlement_idx" ON "rule" USING btree ("settlement_id");--> statement-breakpoint
CREATE INDEX "rule_region_idx" ON "rule" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "rule_comment_version_idx" ON "rule_comment" USING btree ("version_id","clause_no","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "rule_version_no_key" ON "rule_version" USING btree ("rule_id","version_no");--> statement-breakpoint
CREATE UNIQUE INDEX "rule_version_adopted_key" ON "rule_version" USING btree ("rule_id") WHERE "rule_version"."status" = 'adopted';--> statement-breakpoint
CREATE INDEX "rule_version_settlement_idx" ON "rule_version" USING btree ("settlement_id","status");--> statement-breakpoint
CREATE INDEX "shop_item_settlement_idx" ON "shop_item" USING btree ("settlement_id","name");--> statement-breakpoint
CREATE INDEX "shop_restock_item_idx" ON "shop_restock" USING btree ("item_id","created_at");