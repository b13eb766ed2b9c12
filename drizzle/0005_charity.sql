CREATE TABLE "aid_approval" (
	"case_id" uuid NOT NULL,
	"approver_id" uuid NOT NULL,
	"approve" boolean NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "aid_approval_case_id_approver_id_pk" PRIMARY KEY("case_id","approver_id")
);
--> statement-breakpoint
CREATE TABLE "aid_case" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"no" bigint GENERATED ALWAYS AS IDENTITY (sequence name "aid_case_no_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"organization_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"hardship" text NOT NULL,
	"public_summary" text NOT NULL,
	"amount" bigint NOT NULL,
	"status" text NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"paid_at" timestamp with time zone,
	"transaction_id" uuid,
	"review_note" text,
	"reviewed_at" timestamp with time zone,
	"reviewed_by" uuid,
	CONSTRAINT "aid_case_amount_positive" CHECK ("aid_case"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "aid_group" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"fund_id" uuid NOT NULL,
	"aid_first_cap_fen" bigint NOT NULL,
	"quorum" smallint NOT NULL,
	"approver_ids" uuid[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "aid_member" (
	"organization_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"joined_on" date NOT NULL,
	"left_on" date,
	CONSTRAINT "aid_member_organization_id_household_id_pk" PRIMARY KEY("organization_id","household_id")
);
--> statement-breakpoint
CREATE TABLE "fund" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date,
	"material_fen" bigint DEFAULT 100000 NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_balance_not_negative" CHECK ("fund"."balance" >= 0)
);
--> statement-breakpoint
CREATE TABLE "fund_posting" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "fund_posting_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"transaction_id" uuid NOT NULL,
	"fund_id" uuid NOT NULL,
	"account" text NOT NULL,
	"amount" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fund_transaction" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"no" bigint GENERATED ALWAYS AS IDENTITY (sequence name "fund_transaction_no_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"fund_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"amount" bigint NOT NULL,
	"memo" text NOT NULL,
	"counterparty" text DEFAULT '' NOT NULL,
	"need_id" uuid,
	"aid_case_id" uuid,
	"reverses_id" uuid,
	"occurred_on" date NOT NULL,
	"idempotency_key" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_transaction_amount_positive" CHECK ("fund_transaction"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "need" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"no" bigint GENERATED ALWAYS AS IDENTITY (sequence name "need_no_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"household_id" uuid NOT NULL,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"category" text NOT NULL,
	"kind" text NOT NULL,
	"quantity" bigint NOT NULL,
	"unit" text DEFAULT '' NOT NULL,
	"title" text NOT NULL,
	"public_detail" text DEFAULT '' NOT NULL,
	"detail" text DEFAULT '' NOT NULL,
	"health_consent" boolean DEFAULT false NOT NULL,
	"urgency" smallint DEFAULT 1 NOT NULL,
	"deadline" date,
	"status" text DEFAULT 'pending' NOT NULL,
	"pledged" bigint DEFAULT 0 NOT NULL,
	"delivered" bigint DEFAULT 0 NOT NULL,
	"raised_by" uuid NOT NULL,
	"verified_by" uuid,
	"verified_at" timestamp with time zone,
	"reject_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "need_quantity_positive" CHECK ("need"."quantity" > 0),
	CONSTRAINT "need_pledged_within" CHECK ("need"."pledged" >= 0 and "need"."pledged" <= "need"."quantity"),
	CONSTRAINT "need_delivered_within" CHECK ("need"."delivered" >= 0 and "need"."delivered" <= "need"."pledged"),
	CONSTRAINT "need_urgency_range" CHECK ("need"."urgency" between 1 and 3)
);
--> statement-breakpoint
CREATE TABLE "offer" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"categories" text[] NOT NULL,
	"region_paths" text[] NOT NULL,
	"capacity" bigint NOT NULL,
	"allocated" bigint DEFAULT 0 NOT NULL,
	"unit" text DEFAULT '' NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date NOT NULL,
	"closed_at" timestamp with time zone,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "offer_capacity_positive" CHECK ("offer"."capacity" > 0),
	CONSTRAINT "offer_allocated_within" CHECK ("offer"."allocated" >= 0 and "offer"."allocated" <= "offer"."capacity")
);
--> statement-breakpoint
CREATE TABLE "pledge" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"need_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"offer_id" uuid,
	"quantity" bigint NOT NULL,
	"status" text DEFAULT 'pledged' NOT NULL,
	"idempotency_key" text NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"delivered_by" uuid,
	"delivery_note" text,
	"confirmed_at" timestamp with time zone,
	"confirmed_by" uuid,
	"transaction_id" uuid,
	CONSTRAINT "pledge_quantity_positive" CHECK ("pledge"."quantity" > 0)
);
--> statement-breakpoint
ALTER TABLE "organization" ADD COLUMN "credit_code" text;--> statement-breakpoint
ALTER TABLE "organization" ADD COLUMN "description" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "organization" ADD COLUMN "contact_name" text;--> statement-breakpoint
ALTER TABLE "organization" ADD COLUMN "contact_phone" text;--> statement-breakpoint
ALTER TABLE "organization" ADD COLUMN "rejected_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "organization" ADD COLUMN "reject_reason" text;--> statement-breakpoint
ALTER TABLE "aid_approval" ADD CONSTRAINT "aid_approval_case_id_aid_case_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."aid_case"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aid_case" ADD CONSTRAINT "aid_case_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aid_case" ADD CONSTRAINT "aid_case_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aid_group" ADD CONSTRAINT "aid_group_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aid_group" ADD CONSTRAINT "aid_group_fund_id_fund_id_fk" FOREIGN KEY ("fund_id") REFERENCES "public"."fund"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aid_member" ADD CONSTRAINT "aid_member_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aid_member" ADD CONSTRAINT "aid_member_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund" ADD CONSTRAINT "fund_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_posting" ADD CONSTRAINT "fund_posting_transaction_id_fund_transaction_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."fund_transaction"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_posting" ADD CONSTRAINT "fund_posting_fund_id_fund_id_fk" FOREIGN KEY ("fund_id") REFERENCES "public"."fund"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_transaction" ADD CONSTRAINT "fund_transaction_fund_id_fund_id_fk" FOREIGN KEY ("fund_id") REFERENCES "public"."fund"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_transaction" ADD CONSTRAINT "fund_transaction_need_id_need_id_fk" FOREIGN KEY ("need_id") REFERENCES "public"."need"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "need" ADD CONSTRAINT "need_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "need" ADD CONSTRAINT "need_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offer" ADD CONSTRAINT "offer_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pledge" ADD CONSTRAINT "pledge_need_id_need_id_fk" FOREIGN KEY ("need_id") REFERENCES "public"."need"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pledge" ADD CONSTRAINT "pledge_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pledge" ADD CONSTRAINT "pledge_offer_id_offer_id_fk" FOREIGN KEY ("offer_id") REFERENCES "public"."offer"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "aid_case_no_key" ON "aid_case" USING btree ("no");--> statement-breakpoint
CREATE INDEX "aid_case_organization_idx" ON "aid_case" USING btree ("organization_id","no");--> statement-breakpoint
CREATE INDEX "aid_case_household_idx" ON "aid_case" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "fund_organization_idx" ON "fund" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "fund_posting_transaction_idx" ON "fund_posting" USING btree ("transaction_id");--> statement-breakpoint
CREATE INDEX "fund_posting_fund_idx" ON "fund_posting" USING btree ("fund_id","account");--> statement-breakpoint
CREATE UNIQUE INDEX "fund_transaction_no_key" ON "fund_transaction" USING btree ("no");--> statement-breakpoint
CREATE INDEX "fund_transaction_fund_idx" ON "fund_transaction" USING btree ("fund_id","no");--> statement-breakpoint
CREATE UNIQUE INDEX "fund_transaction_reverses_key" ON "fund_transaction" USING btree ("reverses_id") WHERE "fund_transaction"."reverses_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "fund_transaction_idempotency_key" ON "fund_transaction" USING btree ("fund_id","idempotency_key") WHERE "fund_transaction"."idempotency_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "need_no_key" ON "need" USING btree ("no");--> statement-breakpoint
CREATE INDEX "need_region_idx" ON "need" USING btree ("region_path" text_pattern_ops,"no");--> statement-breakpoint
CREATE INDEX "need_settlement_idx" ON "need" USING btree ("settlement_id","no");--> statement-breakpoint
CREATE INDEX "need_household_idx" ON "need" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "need_open_idx" ON "need" USING btree ("status","category") WHERE "need"."status" = 'published';--> statement-breakpoint
CREATE INDEX "offer_organization_idx" ON "offer" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "offer_live_idx" ON "offer" USING btree ("kind","valid_to") WHERE "offer"."closed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "pledge_idempotency_key" ON "pledge" USING btree ("organization_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "pledge_need_idx" ON "pledge" USING btree ("need_id");--> statement-breakpoint
CREATE INDEX "pledge_organization_idx" ON "pledge" USING btree ("organization_id","created_at");