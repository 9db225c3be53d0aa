-- Page Insights history was stored one day late: a page_follows value whose end_time is day D+1 07:00/08:00 UTC
-- is the audience at the end of day D (DESIGN §3), but it landed on D+1. Move every backfilled row back one day,
-- except where a reading taken by the API, entered by hand or imported already holds that date (it wins, as
-- the writer's rule says). The snapshot triggers mark the accounts for the rollups to recompute.
CREATE TEMP TABLE backfill_moved AS
  SELECT account_id, day - 1 AS day, audience, collected_at FROM snapshots WHERE source = 1;
DELETE FROM snapshots WHERE source = 1;
INSERT INTO snapshots (account_id, day, audience, source, collected_at)
  SELECT account_id, day, audience, 1, collected_at FROM backfill_moved WHERE true
  ON CONFLICT (account_id, day) DO NOTHING;
DROP TABLE backfill_moved;
