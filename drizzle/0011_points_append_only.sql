-- The points ledger and the record of a decision's stages are append-only: a correction is a reversing entry, never an edit.
CREATE TRIGGER points_entry_no_update BEFORE UPDATE OR DELETE ON points_entry
	FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
CREATE TRIGGER points_entry_no_truncate BEFORE TRUNCATE ON points_entry
	FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
CREATE TRIGGER decision_stage_no_update BEFORE UPDATE OR DELETE ON decision_stage
	FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
CREATE TRIGGER decision_stage_no_truncate BEFORE TRUNCATE ON decision_stage
	FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
-- At commit, a household's balance is the sum of its ledger: no entry without its balance move, and no move without its entry.
CREATE OR REPLACE FUNCTION points_balance_matches() RETURNS trigger AS $$
DECLARE
	total bigint;
	kept bigint;
BEGIN
	SELECT coalesce(sum(delta), 0) INTO total FROM points_entry WHERE household_id = NEW.household_id;
	SELECT coalesce(max(balance), 0) INTO kept FROM points_account WHERE household_id = NEW.household_id;
	IF total <> kept THEN
		RAISE EXCEPTION 'points of household % do not match its ledger (% kept, % in the ledger)', NEW.household_id, kept, total;
	END IF;
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER points_entry_balanced AFTER INSERT ON points_entry
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION points_balance_matches();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER points_account_balanced AFTER INSERT OR UPDATE ON points_account
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION points_balance_matches();
