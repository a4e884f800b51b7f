// Migration 1: the first schema. A migration file is never edited once released: change the
// schema with a new numbered file (and list it in index.ts).
//
// Times are INTEGER milliseconds since the Unix epoch (UTC). Every record that can arrive from
// another installation (export/import, salvage of a damaged file) has a natural key, so merging
// two histories is an insert-or-ignore, or a min()/max() per column, never a conflict.
export default /* sql */ `
-- A lab the learner has opened. Its status is derived: 'passed' once first_passed_at is set,
-- 'in progress' otherwise; a lab without a row is 'not started'.
CREATE TABLE labs (
  lab_id          TEXT PRIMARY KEY NOT NULL,
  first_opened_at INTEGER NOT NULL,
  first_passed_at INTEGER
);

-- Time spent in a lab, as spans of activity. The app extends the current span as it goes
-- (same lab_id and started_at, longer duration); the total is the sum.
CREATE TABLE lab_time (
  lab_id      TEXT NOT NULL REFERENCES labs (lab_id),
  started_at  INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
  PRIMARY KEY (lab_id, started_at)
);

-- Every check run: what the learner saw. uid identifies it across installations.
CREATE TABLE check_runs (
  run_id      INTEGER PRIMARY KEY,
  uid         TEXT NOT NULL UNIQUE,
  lab_id      TEXT NOT NULL REFERENCES labs (lab_id),
  started_at  INTEGER NOT NULL,
  seed        INTEGER NOT NULL,
  personality TEXT NOT NULL,
  passed      INTEGER NOT NULL CHECK (passed IN (0, 1))
);
CREATE INDEX check_runs_by_lab ON check_runs (lab_id, started_at);

CREATE TABLE check_items (
  run_id   INTEGER NOT NULL REFERENCES check_runs (run_id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  item_id  TEXT NOT NULL,
  title    TEXT NOT NULL,
  passed   INTEGER NOT NULL CHECK (passed IN (0, 1)),
  message  TEXT NOT NULL,
  PRIMARY KEY (run_id, position)
);

-- File contents, stored once however many snapshots hold them.
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
  size   INTEGER NOT NULL,
  data   BLOB NOT NULL
);

-- The learner's workspace at each check run.
CREATE TABLE snapshot_files (
  run_id INTEGER NOT NULL REFERENCES check_runs (run_id) ON DELETE CASCADE,
  path   TEXT NOT NULL,
  sha256 TEXT NOT NULL REFERENCES blobs (sha256),
  PRIMARY KEY (run_id, path)
);
CREATE INDEX snapshot_files_by_blob ON snapshot_files (sha256);

CREATE TABLE hints_revealed (
  lab_id      TEXT NOT NULL REFERENCES labs (lab_id),
  hint_id     TEXT NOT NULL,
  revealed_at INTEGER NOT NULL,
  PRIMARY KEY (lab_id, hint_id)
);

CREATE TABLE drill_attempts (
  attempt_id   INTEGER PRIMARY KEY,
  uid          TEXT NOT NULL UNIQUE,
  drill_id     TEXT NOT NULL,
  attempted_at INTEGER NOT NULL,
  virtual_ms   INTEGER NOT NULL,
  wall_ms      INTEGER NOT NULL,
  bytes_lost   INTEGER NOT NULL,
  keys_pressed INTEGER NOT NULL,
  fix_passed   INTEGER NOT NULL CHECK (fix_passed IN (0, 1))
);
CREATE INDEX drill_attempts_by_drill ON drill_attempts (drill_id, attempted_at);

-- Settings the learner changed (absent ones have their defaults), as JSON values.
-- updated_at decides which of two installations' values an import keeps.
CREATE TABLE settings (
  key        TEXT PRIMARY KEY NOT NULL,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`;
