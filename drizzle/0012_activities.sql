CREATE TABLE "activity" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"place" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"organizer_id" uuid,
	"organization_id" uuid,
	"capacity" integer,
	"points_item_code" text,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"cancel_reason" text,
	"signups" integer DEFAULT 0 NOT NULL,
	"participants" integer DEFAULT 0 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "activity_capacity_positive" CHECK ("activity"."capacity" is null or "activity"."capacity" > 0),
	CONSTRAINT "activity_counts" CHECK ("activity"."signups" >= 0 and "activity"."participants" >= 0 and ("activity"."capacity" is null or "activity"."signups" <= "activity"."capacity")),
	CONSTRAINT "activity_times" CHECK ("activity"."ends_at" >= "activity"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "activity_checkin" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"activity_id" uuid NOT NULL,
	"resident_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"checked_in_by" uuid NOT NULL,
	"points_entry_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "activity_signup" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"activity_id" uuid NOT NULL,
	"resident_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"signed_up_by" uuid NOT NULL,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "activity_tally" (
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"month" text NOT NULL,
	"kind" text NOT NULL,
	"activities" integer DEFAULT 0 NOT NULL,
	"participants" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "activity_tally_settlement_id_month_kind_pk" PRIMARY KEY("settlement_id","month","kind")
);
--> statement-breakpoint
CREATE TABLE "benefit_check_run" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"region_path" text NOT NULL,
	"month" text NOT NULL,
	"found" integer NOT NULL,
	"ran_by" uuid,
	"ran_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "care_setting" (
	"region_id" uuid PRIMARY KEY NOT NULL,
	"region_path" text NOT NULL,
	"living_alone_elderly_days" integer,
	"severe_disability_days" integer,
	"left_behind_child_days" integer,
	"child_in_difficulty_days" integer,
	"extreme_poverty_days" integer,
	"verify_within_hours" integer,
	"report_due_day" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "care_target" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"resident_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"group" text NOT NULL,
	"interval_days" integer NOT NULL,
	"worker_id" uuid,
	"since" date NOT NULL,
	"last_visited_on" date,
	"next_due_on" date NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"ended_on" date,
	"end_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "care_target_interval" CHECK ("care_target"."interval_days" between 1 and 366)
);
--> statement-breakpoint
CREATE TABLE "care_visit" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"target_id" uuid NOT NULL,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"resident_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"visited_on" date NOT NULL,
	"visitor_id" uuid NOT NULL,
	"visitor_name" text NOT NULL,
	"mode" text NOT NULL,
	"wellbeing" text NOT NULL,
	"findings" text NOT NULL,
	"follow_up" text DEFAULT '' NOT NULL,
	"service_request_id" uuid,
	"risk_flag_id" uuid,
	"need_id" uuid,
	"on_time" boolean NOT NULL,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "duplicate_benefit" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"settlement_ids" uuid[] NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"resident_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"household_ids" uuid[] NOT NULL,
	"aid_case_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolution" text,
	"resolved_by" uuid,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "monthly_report" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"month" text NOT NULL,
	"nothing_found" boolean NOT NULL,
	"flag_count" integer NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"due_on" date NOT NULL,
	"late" boolean NOT NULL,
	"submitted_by" uuid NOT NULL,
	"submitted_by_name" text NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "monthly_report_nothing" CHECK (not "monthly_report"."nothing_found" or "monthly_report"."flag_count" = 0)
);
--> statement-breakpoint
CREATE TABLE "risk_flag" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"no" bigint GENERATED ALWAYS AS IDENTITY (sequence name "risk_flag_no_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"household_id" uuid NOT NULL,
	"resident_id" uuid,
	"category" text NOT NULL,
	"description" text NOT NULL,
	"source" text NOT NULL,
	"register_rule" text,
	"visit_id" uuid,
	"found_at" timestamp with time zone NOT NULL,
	"reported_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reported_by" uuid,
	"status" text DEFAULT 'reported' NOT NULL,
	"verify_due_at" timestamp with time zone NOT NULL,
	"verified_at" timestamp with time zone,
	"verified_by" uuid,
	"verify_note" text,
	"assisted_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"closed_by" uuid,
	"outcome" text,
	"outcome_note" text,
	"escalated_at" timestamp with time zone,
	"idempotency_key" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "risk_flag_found_before_reported" CHECK ("risk_flag"."found_at" <= "risk_flag"."reported_at")
);
--> statement-breakpoint
CREATE TABLE "risk_flag_link" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"flag_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"target_id" uuid NOT NULL,
	"linked_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activity" ADD CONSTRAINT "activity_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity" ADD CONSTRAINT "activity_organizer_id_user_id_fk" FOREIGN KEY ("organizer_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity" ADD CONSTRAINT "activity_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity" ADD CONSTRAINT "activity_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_checkin" ADD CONSTRAINT "activity_checkin_activity_id_activity_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activity"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_checkin" ADD CONSTRAINT "activity_checkin_resident_id_resident_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."resident"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_checkin" ADD CONSTRAINT "activity_checkin_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_checkin" ADD CONSTRAINT "activity_checkin_checked_in_by_user_id_fk" FOREIGN KEY ("checked_in_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_signup" ADD CONSTRAINT "activity_signup_activity_id_activity_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activity"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_signup" ADD CONSTRAINT "activity_signup_resident_id_resident_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."resident"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_signup" ADD CONSTRAINT "activity_signup_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_signup" ADD CONSTRAINT "activity_signup_signed_up_by_user_id_fk" FOREIGN KEY ("signed_up_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_tally" ADD CONSTRAINT "activity_tally_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "benefit_check_run" ADD CONSTRAINT "benefit_check_run_ran_by_user_id_fk" FOREIGN KEY ("ran_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_setting" ADD CONSTRAINT "care_setting_region_id_region_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."region"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_target" ADD CONSTRAINT "care_target_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_target" ADD CONSTRAINT "care_target_resident_id_resident_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."resident"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_target" ADD CONSTRAINT "care_target_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_target" ADD CONSTRAINT "care_target_worker_id_user_id_fk" FOREIGN KEY ("worker_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_visit" ADD CONSTRAINT "care_visit_target_id_care_target_id_fk" FOREIGN KEY ("target_id") REFERENCES "public"."care_target"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_visit" ADD CONSTRAINT "care_visit_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_visit" ADD CONSTRAINT "care_visit_resident_id_resident_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."resident"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_visit" ADD CONSTRAINT "care_visit_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "care_visit" ADD CONSTRAINT "care_visit_visitor_id_user_id_fk" FOREIGN KEY ("visitor_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "duplicate_benefit" ADD CONSTRAINT "duplicate_benefit_run_id_benefit_check_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."benefit_check_run"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "duplicate_benefit" ADD CONSTRAINT "duplicate_benefit_resolved_by_user_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monthly_report" ADD CONSTRAINT "monthly_report_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monthly_report" ADD CONSTRAINT "monthly_report_submitted_by_user_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_flag" ADD CONSTRAINT "risk_flag_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_flag" ADD CONSTRAINT "risk_flag_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_flag" ADD CONSTRAINT "risk_flag_resident_id_resident_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."resident"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_flag" ADD CONSTRAINT "risk_flag_reported_by_user_id_fk" FOREIGN KEY ("reported_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_flag" ADD CONSTRAINT "risk_flag_verified_by_user_id_fk" FOREIGN KEY ("verified_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_flag" ADD CONSTRAINT "risk_flag_closed_by_user_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_flag_link" ADD CONSTRAINT "risk_flag_link_flag_id_risk_flag_id_fk" FOREIGN KEY ("flag_id") REFERENCES "public"."risk_flag"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_flag_link" ADD CONSTRAINT "risk_flag_link_linked_by_user_id_fk" FOREIGN KEY ("linked_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activity_settlement_idx" ON "activity" USING btree ("settlement_id","starts_at");--> statement-breakpoint
CREATE INDEX "activity_region_idx" ON "activity" USING btree ("region_path" text_pattern_ops,"starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "activity_checkin_key" ON "activity_checkin" USING btree ("activity_id","resident_id");--> statement-breakpoint
CREATE INDEX "activity_checkin_household_idx" ON "activity_checkin" USING btree ("household_id");--> statement-breakpoint
CREATE UNIQUE INDEX "activity_signup_live_key" ON "activity_signup" USING btree ("activity_id","resident_id") WHERE "activity_signup"."cancelled_at" is null;--> statement-breakpoint
CREATE INDEX "activity_signup_household_idx" ON "activity_signup" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "activity_tally_region_idx" ON "activity_tally" USING btree ("region_path" text_pattern_ops,"month");--> statement-breakpoint
CREATE INDEX "benefit_check_run_region_idx" ON "benefit_check_run" USING btree ("region_path" text_pattern_ops,"ran_at");--> statement-breakpoint
CREATE UNIQUE INDEX "care_target_live_key" ON "care_target" USING btree ("resident_id","group") WHERE "care_target"."ended_on" is null;--> statement-breakpoint
CREATE INDEX "care_target_due_idx" ON "care_target" USING btree ("settlement_id","next_due_on") WHERE "care_target"."ended_on" is null;--> statement-breakpoint
CREATE INDEX "care_target_worker_idx" ON "care_target" USING btree ("worker_id","next_due_on") WHERE "care_target"."ended_on" is null;--> statement-breakpoint
CREATE INDEX "care_visit_target_idx" ON "care_visit" USING btree ("target_id","visited_on");--> statement-breakpoint
CREATE INDEX "care_visit_settlement_idx" ON "care_visit" USING btree ("settlement_id","visited_on");--> statement-breakpoint
CREATE INDEX "care_visit_region_idx" ON "care_visit" USING btree ("region_path" text_pattern_ops,"visited_on");--> statement-breakpoint
CREATE UNIQUE INDEX "care_visit_idempotency_key" ON "care_visit" USING btree ("visitor_id","idempotency_key") WHERE "care_visit"."idempotency_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "duplicate_benefit_open_key" ON "duplicate_benefit" USING btree ("kind","key") WHERE "duplicate_benefit"."status" = 'open';--> statement-breakpoint
CREATE INDEX "duplicate_benefit_region_idx" ON "duplicate_benefit" USING btree ("region_path" text_pattern_ops,"status");--> statement-breakpoint
CREATE UNIQUE INDEX "monthly_report_key" ON "monthly_report" USING btree ("settlement_id","month");--> statement-breakpoint
CREATE INDEX "monthly_report_region_idx" ON "monthly_report" USING btree ("region_path" text_pattern_ops,"month");--> statement-breakpoint
CREATE UNIQUE INDEX "risk_flag_no_key" ON "risk_flag" USING btree ("no");--> statement-breakpoint
CREATE INDEX "risk_flag_settlement_idx" ON "risk_flag" USING btree ("settlement_id","no");--> statement-breakpoint
CREATE INDEX "risk_flag_region_idx" ON "risk_flag" USING btree ("region_path" text_pattern_ops,"no");--> statement-breakpoint
CREATE INDEX "risk_flag_household_idx" ON "risk_flag" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "risk_flag_reported_idx" ON "risk_flag" USING btree ("settlement_id","reported_at");--> statement-breakpoint
CREATE INDEX "risk_flag_verify_due_idx" ON "risk_flag" USING btree ("verify_due_at") WHERE "risk_flag"."status" = 'reported' and "risk_flag"."escalated_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "risk_flag_rule_open_key" ON "risk_flag" USING btree ("household_id","register_rule") WHERE "risk_flag"."register_rule" is not null and "risk_flag"."status" <> 'closed';--> statement-breakpoint
CREATE UNIQUE INDEX "risk_flag_idempotency_key" ON "risk_flag" USING btree ("reported_by","idempotency_key") WHERE "risk_flag"."idempotency_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "risk_flag_link_key" ON "risk_flag_link" USING btree ("flag_id","kind","target_id");