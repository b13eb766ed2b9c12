-- monthly_tally is kept by statement-level triggers on service_request, care_visit and points_entry:
-- each row contributes a few (measure, bucket, n) to its point's Shanghai month, and a statement adds
-- its new rows' contributions and takes away its old rows', in the same transaction. An update that
-- changes nothing counted nets to zero and touches no tally row (so takes no lock).

-- What one service request adds to its point's months, times s (+1 or -1): filed in the month it was
-- submitted; done (bucket: whole Shanghai days from filing to done), rated and its rating in the month
-- it was done.
CREATE OR REPLACE FUNCTION monthly_tally_of_request(
	p_settlement_id uuid, p_region_path text, p_submitted_at timestamptz, p_closed_at timestamptz,
	p_status text, p_rating integer, s integer
) RETURNS TABLE (settlement_id uuid, region_path text, month text, measure text, bucket integer, n bigint)
LANGUAGE sql STABLE AS $$
	SELECT $1, $2, to_char($3 AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), 'requests_filed', 0, $7::bigint
	UNION ALL
	SELECT $1, $2, to_char($4 AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), x.measure, x.bucket, x.n
	FROM (VALUES
		('requests_done', ($4 AT TIME ZONE 'Asia/Shanghai')::date - ($3 AT TIME ZONE 'Asia/Shanghai')::date, $7::bigint),
		('ratings', 0, CASE WHEN $6 IS NULL THEN 0 ELSE $7 END::bigint),
		('rating_sum', 0, (coalesce($6, 0) * $7)::bigint)
	) AS x(measure, bucket, n)
	WHERE $5 = 'done' AND $4 IS NOT NULL AND x.n <> 0
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION monthly_tally_requests() RETURNS trigger AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO monthly_tally AS t (settlement_id, region_path, month, measure, bucket, n)
			SELECT c.settlement_id, min(c.region_path), c.month, c.measure, c.bucket, sum(c.n)
			FROM new_rows r CROSS JOIN LATERAL monthly_tally_of_request(
				r.settlement_id, r.region_path, r.submitted_at, r.closed_at, r.status, r.rating, 1) c
			GROUP BY c.settlement_id, c.month, c.measure, c.bucket
			ORDER BY c.settlement_id, c.month, c.measure, c.bucket
		ON CONFLICT (settlement_id, month, measure, bucket) DO UPDATE SET n = t.n + excluded.n;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO monthly_tally AS t (settlement_id, region_path, month, measure, bucket, n)
			SELECT c.settlement_id, min(c.region_path), c.month, c.measure, c.bucket, sum(c.n)
			FROM old_rows r CROSS JOIN LATERAL monthly_tally_of_request(
				r.settlement_id, r.region_path, r.submitted_at, r.closed_at, r.status, r.rating, -1) c
			GROUP BY c.settlement_id, c.month, c.measure, c.bucket
			ORDER BY c.settlement_id, c.month, c.measure, c.bucket
		ON CONFLICT (settlement_id, month, measure, bucket) DO UPDATE SET n = t.n + excluded.n;
	ELSE
		INSERT INTO monthly_tally AS t (settlement_id, region_path, month, measure, bucket, n)
			SELECT c.settlement_id, min(c.region_path), c.month, c.measure, c.bucket, sum(c.n)
			FROM (
				SELECT c.* FROM new_rows r CROSS JOIN LATERAL monthly_tally_of_request(
					r.settlement_id, r.region_path, r.submitted_at, r.closed_at, r.status, r.rating, 1) c
				UNION ALL
				SELECT c.* FROM old_rows r CROSS JOIN LATERAL monthly_tally_of_request(
					r.settlement_id, r.region_path, r.submitted_at, r.closed_at, r.status, r.rating, -1) c
			) c
			GROUP BY c.settlement_id, c.month, c.measure, c.bucket
			HAVING sum(c.n) <> 0
			ORDER BY c.settlement_id, c.month, c.measure, c.bucket
		ON CONFLICT (settlement_id, month, measure, bucket) DO UPDATE SET n = t.n + excluded.n;
	END IF;
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER monthly_tally_request_insert AFTER INSERT ON service_request
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monthly_tally_requests();
--> statement-breakpoint
CREATE TRIGGER monthly_tally_request_update AFTER UPDATE ON service_request
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION monthly_tally_requests();
--> statement-breakpoint
CREATE TRIGGER monthly_tally_request_delete AFTER DELETE ON service_request
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION monthly_tally_requests();
--> statement-breakpoint
-- What one care visit adds: a visit in the month it was made, and one on time if it was.
CREATE OR REPLACE FUNCTION monthly_tally_of_visit(
	p_settlement_id uuid, p_region_path text, p_visited_on date, p_on_time boolean, s integer
) RETURNS TABLE (settlement_id uuid, region_path text, month text, measure text, bucket integer, n bigint)
LANGUAGE sql IMMUTABLE AS $$
	SELECT $1, $2, to_char($3, 'YYYY-MM'), x.measure, 0, x.n
	FROM (VALUES ('visits', $5::bigint), ('visits_on_time', CASE WHEN $4 THEN $5 ELSE 0 END::bigint))
		AS x(measure, n)
	WHERE x.n <> 0
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION monthly_tally_visits() RETURNS trigger AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO monthly_tally AS t (settlement_id, region_path, month, measure, bucket, n)
			SELECT c.settlement_id, min(c.region_path), c.month, c.measure, c.bucket, sum(c.n)
			FROM new_rows r CROSS JOIN LATERAL monthly_tally_of_visit(
				r.settlement_id, r.region_path, r.visited_on, r.on_time, 1) c
			GROUP BY c.settlement_id, c.month, c.measure, c.bucket
			ORDER BY c.settlement_id, c.month, c.measure, c.bucket
		ON CONFLICT (settlement_id, month, measure, bucket) DO UPDATE SET n = t.n + excluded.n;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO monthly_tally AS t (settlement_id, region_path, month, measure, bucket, n)
			SELECT c.settlement_id, min(c.region_path), c.month, c.measure, c.bucket, sum(c.n)
			FROM old_rows r CROSS JOIN LATERAL monthly_tally_of_visit(
				r.settlement_id, r.region_path, r.visited_on, r.on_time, -1) c
			GROUP BY c.settlement_id, c.month, c.measure, c.bucket
			ORDER BY c.settlement_id, c.month, c.measure, c.bucket
		ON CONFLICT (settlement_id, month, measure, bucket) DO UPDATE SET n = t.n + excluded.n;
	ELSE
		INSERT INTO monthly_tally AS t (settlement_id, region_path, month, measure, bucket, n)
			SELECT c.settlement_id, min(c.region_path), c.month, c.measure, c.bucket, sum(c.n)
			FROM (
				SELECT c.* FROM new_rows r CROSS JOIN LATERAL monthly_tally_of_visit(
					r.settlement_id, r.region_path, r.visited_on, r.on_time, 1) c
				UNION ALL
				SELECT c.* FROM old_rows r CROSS JOIN LATERAL monthly_tally_of_visit(
					r.settlement_id, r.region_path, r.visited_on, r.on_time, -1) c
			) c
			GROUP BY c.settlement_id, c.month, c.measure, c.bucket
			HAVING sum(c.n) <> 0
			ORDER BY c.settlement_id, c.month, c.measure, c.bucket
		ON CONFLICT (settlement_id, month, measure, bucket) DO UPDATE SET n = t.n + excluded.n;
	END IF;
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER monthly_tally_visit_insert AFTER INSERT ON care_visit
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monthly_tally_visits();
--> statement-breakpoint
CREATE TRIGGER monthly_tally_visit_update AFTER UPDATE ON care_visit
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION monthly_tally_visits();
--> statement-breakpoint
CREATE TRIGGER monthly_tally_visit_delete AFTER DELETE ON care_visit
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION monthly_tally_visits();
--> statement-breakpoint
-- What one points entry adds in the Shanghai month it was made: points issued (awards and activity
-- points), deducted or redeemed. The ledger is append-only (0011), so inserts are all there is.
CREATE OR REPLACE FUNCTION monthly_tally_of_points(
	p_settlement_id uuid, p_region_path text, p_created_at timestamptz, p_source text, p_delta integer
) RETURNS TABLE (settlement_id uuid, region_path text, month text, measure text, bucket integer, n bigint)
LANGUAGE sql STABLE AS $$
	SELECT $1, $2, to_char($3 AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), x.measure, 0, x.n
	FROM (VALUES
		('points_issued', CASE WHEN $5 > 0 AND $4 IN ('award', 'activity') THEN $5 ELSE 0 END::bigint),
		('points_deducted', CASE WHEN $4 = 'deduct' THEN -$5 ELSE 0 END::bigint),
		('points_redeemed', CASE WHEN $4 = 'redeem' THEN -$5 ELSE 0 END::bigint)
	) AS x(measure, n)
	WHERE x.n <> 0
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION monthly_tally_points() RETURNS trigger AS $$
BEGIN
	INSERT INTO monthly_tally AS t (settlement_id, region_path, month, measure, bucket, n)
		SELECT c.settlement_id, min(c.region_path), c.month, c.measure, c.bucket, sum(c.n)
		FROM new_rows r CROSS JOIN LATERAL monthly_tally_of_points(
			r.settlement_id, r.region_path, r.created_at, r.source, r.delta) c
		GROUP BY c.settlement_id, c.month, c.measure, c.bucket
		ORDER BY c.settlement_id, c.month, c.measure, c.bucket
	ON CONFLICT (settlement_id, month, measure, bucket) DO UPDATE SET n = t.n + excluded.n;
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER monthly_tally_points_insert AFTER INSERT ON points_entry
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monthly_tally_points();
--> statement-breakpoint
-- What is there already.
INSERT INTO monthly_tally (settlement_id, region_path, month, measure, bucket, n)
	SELECT c.settlement_id, min(c.region_path), c.month, c.measure, c.bucket, sum(c.n)
	FROM (
		SELECT c.* FROM service_request r CROSS JOIN LATERAL monthly_tally_of_request(
			r.settlement_id, r.region_path, r.submitted_at, r.closed_at, r.status, r.rating, 1) c
		UNION ALL
		SELECT c.* FROM care_visit r CROSS JOIN LATERAL monthly_tally_of_visit(
			r.settlement_id, r.region_path, r.visited_on, r.on_time, 1) c
		UNION ALL
		SELECT c.* FROM points_entry r CROSS JOIN LATERAL monthly_tally_of_points(
			r.settlement_id, r.region_path, r.created_at, r.source, r.delta) c
	) c
	GROUP BY c.settlement_id, c.month, c.measure, c.bucket;
