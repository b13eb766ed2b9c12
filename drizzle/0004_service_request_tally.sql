-- service_request_tally holds counts per (settlement, status); statement-level triggers with
-- transition tables keep it right in the same transaction, for one row or a million.
CREATE OR REPLACE FUNCTION service_request_tally_add() RETURNS trigger AS $$
BEGIN
	INSERT INTO service_request_tally AS t (settlement_id, region_path, status, n)
		SELECT settlement_id, min(region_path), status, count(*) FROM new_rows GROUP BY settlement_id, status
	ON CONFLICT (settlement_id, status) DO UPDATE SET n = t.n + excluded.n;
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION service_request_tally_remove() RETURNS trigger AS $$
BEGIN
	UPDATE service_request_tally t SET n = t.n - o.n
		FROM (SELECT settlement_id, status, count(*) AS n FROM old_rows GROUP BY settlement_id, status) o
		WHERE t.settlement_id = o.settlement_id AND t.status = o.status;
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION service_request_tally_move() RETURNS trigger AS $$
BEGIN
	UPDATE service_request_tally t SET n = t.n - o.n
		FROM (SELECT settlement_id, status, count(*) AS n FROM old_rows GROUP BY settlement_id, status) o
		WHERE t.settlement_id = o.settlement_id AND t.status = o.status;
	INSERT INTO service_request_tally AS t (settlement_id, region_path, status, n)
		SELECT settlement_id, min(region_path), status, count(*) FROM new_rows GROUP BY settlement_id, status
	ON CONFLICT (settlement_id, status) DO UPDATE SET n = t.n + excluded.n;
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER service_request_tally_insert AFTER INSERT ON service_request
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION service_request_tally_add();
--> statement-breakpoint
CREATE TRIGGER service_request_tally_delete AFTER DELETE ON service_request
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION service_request_tally_remove();
--> statement-breakpoint
CREATE TRIGGER service_request_tally_update AFTER UPDATE ON service_request
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION service_request_tally_move();
