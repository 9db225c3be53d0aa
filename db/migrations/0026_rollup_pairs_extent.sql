-- rollup_pairs kept each pair's last value (the one carried on after its last chunk) beside its extent; a
-- day's collect changes that value for every pair (100,000 row updates at ten times the union) while the
-- extent changes once a month. The value is day 31 of the pair's last chunk: readers take it from there
-- (src/growth/series.ts), and rollup_pairs changes only with the extent.
ALTER TABLE rollup_pairs DROP COLUMN last_sum;
ALTER TABLE rollup_pairs DROP COLUMN last_count;
