-- A fund's ledger is append-only: a mistake is corrected by a reversing transaction, never by an edit.
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER fund_transaction_no_update BEFORE UPDATE OR DELETE ON fund_transaction
	FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
CREATE TRIGGER fund_transaction_no_truncate BEFORE TRUNCATE ON fund_transaction
	FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
CREATE TRIGGER fund_posting_no_update BEFORE UPDATE OR DELETE ON fund_posting
	FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
CREATE TRIGGER fund_posting_no_truncate BEFORE TRUNCATE ON fund_posting
	FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
--> statement-breakpoint
-- Double entry: at commit, every transaction's postings sum to zero and its bank line matches fund.balance's move.
CREATE OR REPLACE FUNCTION fund_posting_balanced() RETURNS trigger AS $$
DECLARE
	total bigint;
BEGIN
	SELECT coalesce(sum(amount), 0) INTO total FROM fund_posting WHERE transaction_id = NEW.transaction_id;
	IF total <> 0 THEN
		RAISE EXCEPTION 'fund transaction % does not balance (%)', NEW.transaction_id, total;
	END IF;
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER fund_posting_balanced AFTER INSERT ON fund_posting
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fund_posting_balanced();
