-- Every org on one day, at the federation's scale (DESIGN §10, BENCH_SCALE=10: 50,000 orgs): growth rows of
-- the whole tree and rankings of the primary level read the day for every org. One rollup_series row per org
-- costs ~100,000 rows per request there; rollup_blocks holds the same chunks, 1,024 orgs (by id) to a row and
-- laid out day by day (src/growth/codec.ts, encodeBlock), so that read is ~50 rows and two days of each.
-- Written in the same transaction as rollup_series, for exactly the chunks written there.
CREATE TABLE rollup_blocks (
  grp   INTEGER NOT NULL,
  chunk INTEGER NOT NULL,
  block INTEGER NOT NULL,              -- org_id / 1024
  data  BLOB    NOT NULL,
  PRIMARY KEY (grp, chunk, block)
) WITHOUT ROWID;

-- The pairs whose last value carries into a later chunk, without reading every pair of the group.
CREATE INDEX rollup_pairs_last ON rollup_pairs(grp, last_chunk);

-- Existing databases build the blocks on their next compute.
INSERT OR REPLACE INTO rollup_state (key, value) VALUES ('full_rebuild_needed', 1);

-- Each account's last readings (src/growth/codec.ts, encodeReadings): a day's collect appends readings after
-- the last one, and the suspicious-growth rule continues from these instead of reading snapshots again.
ALTER TABLE rollup_accounts ADD COLUMN recent BLOB;
