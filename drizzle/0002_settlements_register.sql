CREATE TABLE "correction_request" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"household_id" uuid NOT NULL,
	"resident_id" uuid,
	"field" text NOT NULL,
	"message" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_by" uuid,
	"resolved_at" timestamp with time zone,
	"resolution" text
);
--> statement-breakpoint
CREATE TABLE "dwelling" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"settlement_id" uuid NOT NULL,
	"building" text NOT NULL,
	"unit_no" text DEFAULT '' NOT NULL,
	"room" text NOT NULL,
	"area_sqm" numeric(6, 2)
);
--> statement-breakpoint
CREATE TABLE "import_batch" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"settlement_id" uuid NOT NULL,
	"created_by" uuid NOT NULL,
	"file_name" text NOT NULL,
	"file_sha256" text NOT NULL,
	"status" text DEFAULT 'previewed' NOT NULL,
	"payload" jsonb NOT NULL,
	"errors" jsonb NOT NULL,
	"counts" jsonb NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"imported_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "staff_assignment" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"settlement_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"user_id" uuid,
	"resident_id" uuid,
	"name" text DEFAULT '' NOT NULL,
	"post_kind" text,
	"grant_id" uuid,
	"started_on" date NOT NULL,
	"ended_on" date,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "household" ADD COLUMN "origin_township" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "household" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "household" ADD COLUMN "zero_employment" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "household" ADD COLUMN "ended_on" date;--> statement-breakpoint
ALTER TABLE "household" ADD COLUMN "end_reason" text;--> statement-breakpoint
ALTER TABLE "household" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "schooling" text;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "health" text;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "disability_level" smallint;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "labor_ability" text;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "employment" text;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "employer" text;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "job" text;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "public_post" text;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "training" text;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "status" text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "ended_on" date;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "end_reason" text;--> statement-breakpoint
ALTER TABLE "resident" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "correction_request" ADD CONSTRAINT "correction_request_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "correction_request" ADD CONSTRAINT "correction_request_resident_id_resident_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."resident"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dwelling" ADD CONSTRAINT "dwelling_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_batch" ADD CONSTRAINT "import_batch_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_assignment" ADD CONSTRAINT "staff_assignment_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_assignment" ADD CONSTRAINT "staff_assignment_resident_id_resident_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."resident"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "correction_request_household_idx" ON "correction_request" USING btree ("household_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "dwelling_unit_key" ON "dwelling" USING btree ("settlement_id","building","unit_no","room");--> statement-breakpoint
CREATE INDEX "import_batch_settlement_idx" ON "import_batch" USING btree ("settlement_id","created_at");--> statement-breakpoint
CREATE INDEX "staff_assignment_settlement_idx" ON "staff_assignment" USING btree ("settlement_id","kind");--> statement-breakpoint
CREATE INDEX "household_unit_idx" ON "household" USING btree ("settlement_id","building","unit_no","room");--> statement-breakpoint
CREATE INDEX "resident_name_idx" ON "resident" USING btree ("name");