/** The store's schema. Each entry runs once, in order, inside a transaction; never edit a shipped entry. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE genomes (
    id          TEXT PRIMARY KEY,
    organism    TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    parent_id   TEXT REFERENCES genomes(id),
    source_hash TEXT NOT NULL,
    source      TEXT NOT NULL,
    cause       TEXT NOT NULL,
    summary     TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    healthy     INTEGER NOT NULL DEFAULT 0,
    runs_total  INTEGER NOT NULL DEFAULT 0,
    runs_ok     INTEGER NOT NULL DEFAULT 0,
    last_verdict TEXT,
    UNIQUE (organism, generation)
  );
  CREATE INDEX genomes_healthy ON genomes (organism, healthy, generation);
  CREATE INDEX genomes_source ON genomes (organism, source_hash);

  CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    organism    TEXT NOT NULL,
    genome_id   TEXT NOT NULL REFERENCES genomes(id),
    generation  INTEGER NOT NULL,
    seed        INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    exit_code   INTEGER,
    signal      TEXT,
    verdict     TEXT NOT NULL,
    error       TEXT,
    trial       INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX runs_organism ON runs (organism, trial, id);

  CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    organism   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    genome_id  TEXT,
    created_at TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX events_organism ON events (organism, id);

  CREATE TABLE logs (
    seq      INTEGER PRIMARY KEY,
    organism TEXT NOT NULL,
    time     TEXT NOT NULL,
    level    TEXT NOT NULL,
    source   TEXT NOT NULL,
    text     TEXT NOT NULL
  );

  CREATE TABLE live (
    organism  TEXT PRIMARY KEY,
    genome_id TEXT NOT NULL REFERENCES genomes(id),
    paused    INTEGER NOT NULL DEFAULT 0
  );
  `,
  // 2: evolution. The fitness of a genome (measured after it became live, or by the evolution run that promoted it):
  // `gate` passed or failed; time and code size when it passed; the whole measurement as JSON in `data`.
  `
  CREATE TABLE fitness (
    genome_id   TEXT PRIMARY KEY REFERENCES genomes(id),
    organism    TEXT NOT NULL,
    measured_at TEXT NOT NULL,
    gate        TEXT NOT NULL CHECK (gate IN ('passed', 'failed')),
    time_ms     REAL,
    code_size   INTEGER,
    benchmark   TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX fitness_source ON fitness (organism, source_hash, benchmark);
  `,
  // 3: verification. A genome is healthy only once it passed its organism's verification suite (edge cases, seeded
  // property inputs, the regression set); a passing run no longer makes it so. The healthy marks of older stores were
  // earned by one run each, so they are cleared: at the next start the seed and the live genome are verified again.
  // `verifications` remembers a source's outcome against one suite (by fingerprint), so restoring verified code needs
  // no new runs; `counterexamples` is the immune memory: every input that exposed a bug the suite missed, shrunk.
  `
  ALTER TABLE genomes ADD COLUMN verification TEXT NOT NULL DEFAULT 'pending';
  ALTER TABLE genomes ADD COLUMN verification_detail TEXT NOT NULL DEFAULT '{}';
  UPDATE genomes SET healthy = 0;
  ALTER TABLE runs ADD COLUMN suite_case TEXT;

  CREATE TABLE verifications (
    organism    TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    suite       TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('passed', 'failed')),
    detail      TEXT NOT NULL DEFAULT '{}',
    verified_at TEXT NOT NULL,
    PRIMARY KEY (organism, source_hash, suite)
  );

  CREATE TABLE counterexamples (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    organism      TEXT NOT NULL,
    input_hash    TEXT NOT NULL,
    input         TEXT NOT NULL,
    original      TEXT NOT NULL,
    original_size INTEGER NOT NULL,
    shrunk_size   INTEGER NOT NULL,
    shrink_runs   INTEGER NOT NULL DEFAULT 0,
    genome_id     TEXT NOT NULL REFERENCES genomes(id),
    verdict       TEXT NOT NULL,
    error         TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (organism, input_hash)
  );
  `,
  // 4: each organism numbers its own runs 1, 2, 3... (ids are shared by every organism, so the dashboard showed
  // "run 7" beside "RUNS 3"). Existing runs are numbered in the order they ran.
  `
  ALTER TABLE runs ADD COLUMN number INTEGER;
  UPDATE runs SET number = numbered.n
    FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY organism ORDER BY id) AS n FROM runs WHERE trial = 0) AS numbered
    WHERE runs.id = numbered.id;
  CREATE UNIQUE INDEX runs_number ON runs (organism, number);
  `,
  // 5: the event stream's journal (src/events): every event GET /events sends, under its cursor id, as the JSON sent.
  // Ids are assigned by the server, dense and increasing across restarts; old rows are pruned (EVENTS_RETENTION).
  `
  CREATE TABLE stream_events (
    id       INTEGER PRIMARY KEY,
    organism TEXT NOT NULL,
    type     TEXT NOT NULL,
    json     TEXT NOT NULL
  );
  CREATE INDEX stream_events_organism ON stream_events (organism, id);
  `,
  // 6: every LLM call the server made (healing's and evolution's), with its tokens and what it cost at the prices
  // configured when it was made: the bill per heal, per evolution run, per organism and per UTC day, and the daily cap.
  `
  CREATE TABLE llm_calls (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    at                TEXT NOT NULL,
    day               TEXT NOT NULL,
    organism          TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    ref               TEXT,
    model             TEXT NOT NULL,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    cost_usd          REAL
  );
  CREATE INDEX llm_calls_day ON llm_calls (day, organism);
  CREATE INDEX llm_calls_ref ON llm_calls (ref) WHERE ref IS NOT NULL;
  `,
  // 7: approval mode (HEAL_MODE=propose): a verified repair or an evolved genome waits here for a person's decision
  // instead of being promoted. `base_genome_id` is the live genome it was made against: approving it promotes
  // `source` only while that genome is still live. `detail` keeps what the promotion would have recorded (the
  // strategy, the failure, the trial, the verification, the attempts). Who decided: the client address and a
  // fingerprint of the token used (never the token).
  `
  CREATE TABLE proposals (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organism        TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('heal', 'evolve')),
    base_genome_id  TEXT NOT NULL REFERENCES genomes(id),
    source          TEXT NOT NULL,
    source_hash     TEXT NOT NULL,
    strategy        TEXT NOT NULL,
    summary         TEXT NOT NULL,
    diff            TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'superseded')),
    decided_at      TEXT,
    decided_by      TEXT,
    token_fingerprint TEXT,
    reason          TEXT,
    genome_id       TEXT REFERENCES genomes(id)
  );
  CREATE INDEX proposals_organism ON proposals (organism, status, id);
  `,
  // 8: operators (src/alerts, src/audit). The alerts' outbox: each alert as the JSON body sent, and one delivery per
  // webhook (its URL, which may hold a secret, stays here and is never answered); kept to ALERT_OUTBOX_MAX alerts.
  // The audit trail: every request that changes something and every automatic promotion; kept to AUDIT_RETENTION.
  `
  CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    organism   TEXT,
    event      TEXT NOT NULL,
    dedup_key  TEXT NOT NULL,
    body       TEXT NOT NULL
  );
  CREATE TABLE alert_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id     INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    url          TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    last_status  INTEGER,
    last_error   TEXT,
    updated_at   TEXT NOT NULL
  );
  CREATE INDEX alert_deliveries_pending ON alert_deliveries (state, next_at);
  CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id);

  CREATE TABLE audit (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    at                TEXT NOT NULL,
    action            TEXT NOT NULL,
    method            TEXT,
    path              TEXT,
    organism          TEXT,
    genome_before     TEXT,
    genome_after      TEXT,
    status            INTEGER,
    client            TEXT,
    token_fingerprint TEXT,
    detail            TEXT NOT NULL DEFAULT '{}'
  );
  `,
];
