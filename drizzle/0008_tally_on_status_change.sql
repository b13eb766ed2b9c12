-- An update that leaves the status as it was (assignment, rating, escalation) no longer touches
-- the tallies, so it takes no lock on the settlement's tally rows.
CREATE OR REPLACE FUNCTION service_request_tally_move() RETURNS trigger AS $$
BEGIN
	UPDATE service_request_tally t SET n = t.n - o.n
		FROM (
			SELECT o.settlement_id, o.status, count(*) AS n
			FROM old_rows o JOIN new_rows nw ON nw.id = o.id
			WHERE nw.status IS DISTINCT FROM o.status OR nw.settlement_id IS DISTINCT FROM o.settlement_id
			GROUP BY o.settlement_id, o.status
		) o
		WHERE t.settlement_id = o.settlement_id AND t.status = o.status;
	INSERT INTO service_request_tally AS t (settlement_id, region_path, status, n)
		SELECT nw.settlement_id, min(nw.region_path), nw.status, count(*)
		FROM new_rows nw JOIN old_rows o ON o.id = nw.id
		WHERE nw.status IS DISTINCT FROM o.status OR nw.settlement_id IS DISTINCT FROM o.settlement_id
		GROUP BY nw.settlement_id, nw.status
	ON CONFLICT (settlement_id, status) DO UPDATE SET n = t.n + excluded.n;
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
