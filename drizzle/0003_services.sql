CREATE TABLE "service_category" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"region_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"materials" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"time_limit_days" integer NOT NULL,
	"needs_origin" boolean DEFAULT false NOT NULL,
	"urgent" boolean DEFAULT false NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_event" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "service_event_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"request_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" uuid,
	"actor_name" text,
	"kind" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"internal" boolean DEFAULT false NOT NULL,
	"note" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_request" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"no" bigint GENERATED ALWAYS AS IDENTITY (sequence name "service_request_no_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"category_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"resident_id" uuid,
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"description" text NOT NULL,
	"contact_phone" text,
	"status" text DEFAULT 'submitted' NOT NULL,
	"urgent" boolean DEFAULT false NOT NULL,
	"filed_by" uuid NOT NULL,
	"proxy" boolean DEFAULT false NOT NULL,
	"consent_method" text,
	"consent_note" text,
	"idempotency_key" text,
	"assignee_id" uuid,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"due_on" date NOT NULL,
	"ack_due_at" timestamp with time zone,
	"accepted_at" timestamp with time zone,
	"paused_since" date,
	"paused_days" integer DEFAULT 0 NOT NULL,
	"origin_office" text,
	"origin_ask" text,
	"outcome" text,
	"closed_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	"rating" smallint,
	"rating_comment" text,
	"rated_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_request_tally" (
	"settlement_id" uuid NOT NULL,
	"region_path" text NOT NULL,
	"status" text NOT NULL,
	"n" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "service_request_tally_settlement_id_status_pk" PRIMARY KEY("settlement_id","status")
);
--> statement-breakpoint
CREATE TABLE "notification" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"link" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "notification_outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"notification_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "service_category" ADD CONSTRAINT "service_category_region_id_region_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."region"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_event" ADD CONSTRAINT "service_event_request_id_service_request_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."service_request"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_event" ADD CONSTRAINT "service_event_actor_id_user_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_request" ADD CONSTRAINT "service_request_category_id_service_category_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."service_category"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_request" ADD CONSTRAINT "service_request_household_id_household_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."household"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_request" ADD CONSTRAINT "service_request_resident_id_resident_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."resident"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_request" ADD CONSTRAINT "service_request_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_request" ADD CONSTRAINT "service_request_filed_by_user_id_fk" FOREIGN KEY ("filed_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_request" ADD CONSTRAINT "service_request_assignee_id_user_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_request_tally" ADD CONSTRAINT "service_request_tally_settlement_id_settlement_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."settlement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification" ADD CONSTRAINT "notification_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD CONSTRAINT "notification_outbox_notification_id_notification_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."notification"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "service_category_region_code_key" ON "service_category" USING btree ("region_id","code");--> statement-breakpoint
CREATE INDEX "service_category_region_path_idx" ON "service_category" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "service_event_request_idx" ON "service_event" USING btree ("request_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "service_request_no_key" ON "service_request" USING btree ("no");--> statement-breakpoint
CREATE UNIQUE INDEX "service_request_idempotency_key" ON "service_request" USING btree ("filed_by","idempotency_key") WHERE "service_request"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "service_request_settlement_idx" ON "service_request" USING btree ("settlement_id","no");--> statement-breakpoint
CREATE INDEX "service_request_region_idx" ON "service_request" USING btree ("region_path" text_pattern_ops,"no");--> statement-breakpoint
CREATE INDEX "service_request_household_idx" ON "service_request" USING btree ("household_id","no");--> statement-breakpoint
CREATE INDEX "service_request_assignee_idx" ON "service_request" USING btree ("assignee_id","no") WHERE "service_request"."assignee_id" is not null;--> statement-breakpoint
CREATE INDEX "service_request_status_idx" ON "service_request" USING btree ("status","no");--> statement-breakpoint
CREATE INDEX "service_request_due_idx" ON "service_request" USING btree ("due_on") WHERE "service_request"."status" in ('submitted', 'accepted', 'in_progress', 'waiting_origin');--> statement-breakpoint
CREATE INDEX "service_request_tally_region_idx" ON "service_request_tally" USING btree ("region_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "notification_user_idx" ON "notification" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "notification_unread_idx" ON "notification" USING btree ("user_id") WHERE "notification"."read_at" is null;--> statement-breakpoint
CREATE INDEX "notification_outbox_pending_idx" ON "notification_outbox" USING btree ("next_attempt_at") WHERE "notification_outbox"."status" = 'pending';