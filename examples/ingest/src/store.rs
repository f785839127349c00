//! Where intakes are kept: SQLite (embedded, the default) or PostgreSQL, with
//! the same statements. A submission is acknowledged only once the statement
//! that stores it has committed; one `INSERT … ON CONFLICT (record_id) DO
//! NOTHING` is its own transaction, and the record id makes a retry store
//! nothing twice.

use crate::intake::Intake;
use serde::Serialize;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyPool, Row};
use std::borrow::Cow;
use std::time::Duration;

/// Which server a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite:PATH` (the file is made if missing).
    Sqlite,
    /// `postgres://…` or `postgresql://…`.
    Postgres,
}

impl Backend {
    /// The backend of `url`, or an error naming the schemes understood.
    pub fn of(url: &str) -> Result<Backend, String> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err("the database URL must start with sqlite: or postgres://".into())
        }
    }
}

/// The schema, one migration list per backend (migrations/<backend>/), in the
/// binary: a fresh database gets it on first start, an old one what it lacks.
#[derive(Debug)]
struct Embedded(Backend);

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<Vec<Migration>, sqlx::error::BoxDynError>>
                + Send
                + 's,
        >,
    > {
        let sql = match self.0 {
            Backend::Postgres => include_str!("../migrations/postgres/0001_intakes.sql"),
            Backend::Sqlite => include_str!("../migrations/sqlite/0001_intakes.sql"),
        };
        #[allow(unused_mut)]
        let mut migrations = vec![Migration::new(
            1,
            Cow::Borrowed("intakes"),
            MigrationType::Simple,
            Cow::Borrowed(sql),
            false,
        )];
        #[cfg(feature = "plaintext-baseline")]
        migrations.push(Migration::new(
            1_000_001,
            Cow::Borrowed("plaintext baseline (load report only)"),
            MigrationType::Simple,
            Cow::Borrowed(match self.0 {
                Backend::Postgres => {
                    include_str!("../migrations/postgres/baseline_intakes_plaintext.sql")
                }
                Backend::Sqlite => {
                    include_str!("../migrations/sqlite/baseline_intakes_plaintext.sql")
                }
            }),
            false,
        ));
        Box::pin(async move { Ok(migrations) })
    }
}

/// The outcome of storing a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// A new row, with its id.
    Created(i64),
    /// The same submission was stored before (a retry): its row's id.
    Replayed(i64),
    /// Another submission holds this record id.
    Conflict,
}

/// A stored intake as pipelines fetch it: the sealed fields as stored.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredIntake {
    /// The row id (increasing): the cursor for the next page.
    pub id: i64,
    /// The form's record id, which every sealed field is bound to.
    pub record_id: String,
    /// Unix seconds.
    pub received_at: i64,
    /// The key the protected fields are sealed to.
    pub kid: String,
    /// The fields, protected ones sealed.
    pub patient: Patient,
}

/// A stored patient object, as the form sent it.
#[derive(Serialize)]
pub struct Patient {
    /// Clear.
    pub name: String,
    /// Clear.
    pub dob: String,
    /// Sealed.
    pub ssn: String,
    /// Sealed.
    pub diagnosis: String,
}

/// New sealed values for a stored row (key rotation).
pub struct Resealed {
    /// The row.
    pub id: i64,
    /// Its record id, which must match.
    pub record_id: String,
    /// The key both values are now sealed to.
    pub kid: String,
    /// The SSN, re-sealed.
    pub ssn: String,
    /// The diagnosis, re-sealed.
    pub diagnosis: String,
}

/// `SELECT id, record_id, received_at, kid, name, dob, ssn, diagnosis`.
fn stored_intake(row: &sqlx::any::AnyRow) -> Result<StoredIntake, sqlx::Error> {
    Ok(StoredIntake {
        id: row.try_get(0)?,
        record_id: row.try_get(1)?,
        received_at: row.try_get(2)?,
        kid: row.try_get(3)?,
        patient: Patient {
            name: row.try_get(4)?,
            dob: row.try_get(5)?,
            ssn: row.try_get(6)?,
            diagnosis: row.try_get(7)?,
        },
    })
}

/// A position in a day's records: after the row (received_at, id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    /// Unix seconds.
    pub received_at: i64,
    /// Row id.
    pub id: i64,
}

impl Cursor {
    /// The cursor after `row`.
    pub fn after(row: &StoredIntake) -> Cursor {
        Cursor {
            received_at: row.received_at,
            id: row.id,
        }
    }

    /// `RECEIVED_AT.ID`, as `GET /records` takes and gives it.
    pub fn parse(text: &str) -> Option<Cursor> {
        let (received_at, id) = text.split_once('.')?;
        Some(Cursor {
            received_at: received_at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.received_at, self.id)
    }
}

/// The longest one statement may run on PostgreSQL. With the pool's 5 s
/// acquire timeout it bounds how long after `received_at` an insert can
/// still commit (BEGIN, INSERT, COMMIT: under 20 s), which is what
/// `--records-settle` must exceed.
pub const STATEMENT_TIMEOUT_SECS: u64 = 5;

/// The two statements of `POST /intake`, for the table intakes go to
/// (`intakes`, or the baseline's `intakes_plaintext`): written once, not per
/// request.
struct Statements {
    insert: String,
    replay: String,
}

impl Statements {
    fn for_table(table: &str) -> Statements {
        Statements {
            insert: format!(
                "INSERT INTO {table} (record_id, received_at, received_day, kid, name, dob, ssn, diagnosis) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (record_id) DO NOTHING RETURNING id"
            ),
            replay: format!(
                "SELECT id, kid, name, dob, ssn, diagnosis FROM {table} WHERE record_id = $1"
            ),
        }
    }
}

/// The rows of a `SELECT id, record_id, received_at, kid, name, dob, ssn,
/// diagnosis`.
fn stored_intakes(rows: &[sqlx::any::AnyRow]) -> Result<Vec<StoredIntake>, String> {
    rows.iter()
        .map(stored_intake)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_error)
}

/// A connection pool to one database.
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    statements: Statements,
}

fn db_error(e: sqlx::Error) -> String {
    // sqlx's messages name the statement and the server's reason, never the
    // bound values.
    format!("database: {e}")
}

impl Store {
    /// Connects (making an SQLite file if missing) and migrates the schema.
    pub async fn open(url: &str, max_connections: u32) -> Result<Store, String> {
        let backend = Backend::of(url)?;
        install_default_drivers();
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    // WAL: readers never block the writer. synchronous=FULL:
                    // a commit is on disk (fsync) before it returns, so an
                    // acknowledged intake survives a power cut, not only a crash.
                    use sqlx::Executor;
                    match backend {
                        Backend::Sqlite => {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA busy_timeout = 5000;",
                            )
                            .await?;
                        }
                        Backend::Postgres => {
                            conn.execute(
                                format!("SET statement_timeout = '{STATEMENT_TIMEOUT_SECS}s'")
                                    .as_str(),
                            )
                            .await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(db_error)?;
        let mut migrator = Migrator::new(Embedded(backend))
            .await
            .map_err(|e| format!("migrations: {e}"))?;
        // A rollback runs the previous release on a schema a newer one
        // migrated: migrations only ever add, so it may ignore theirs.
        migrator.set_ignore_missing(true);
        migrator
            .run(&pool)
            .await
            .map_err(|e| format!("migrating the schema: {e}"))?;
        Ok(Store {
            pool,
            backend,
            statements: Statements::for_table("intakes"),
        })
    }

    /// The load report's baseline only: store into `intakes_plaintext` (no
    /// sealed-value CHECKs) instead of `intakes`.
    #[cfg(feature = "plaintext-baseline")]
    pub fn use_plaintext_baseline(&mut self) {
        self.statements = Statements::for_table("intakes_plaintext");
    }

    /// Which server it is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Stores `intake` received at `received_at` (Unix seconds) on `day`.
    pub async fn insert(
        &self,
        intake: &Intake,
        received_at: i64,
        day: &str,
    ) -> Result<Stored, String> {
        // The acknowledgement waits for an explicit COMMIT: sqlx's Any driver
        // hands back a statement's first row before PostgreSQL has committed
        // its implicit transaction (and drops an error that comes after), so
        // a deferred constraint or a lost connection would otherwise still
        // get a 201.
        let mut tx = self.pool.begin().await.map_err(db_error)?;
        let inserted = sqlx::query(&self.statements.insert)
            .bind(&intake.record_id)
            .bind(received_at)
            .bind(day)
            .bind(&intake.kid)
            .bind(&intake.name)
            .bind(&intake.dob)
            .bind(&intake.ssn)
            .bind(&intake.diagnosis)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        let id: Option<i64> = inserted
            .map(|row| row.try_get(0))
            .transpose()
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        if let Some(id) = id {
            return Ok(Stored::Created(id));
        }
        // The record id is taken: the same submission again (a client retry
        // after a lost answer, a restart) answers as the first did; any other
        // content is a conflict. Sealed values are compared as stored: a
        // retry resends the very same text.
        let row = sqlx::query(&self.statements.replay)
            .bind(&intake.record_id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        let same = Intake {
            record_id: intake.record_id.clone(),
            kid: row.try_get(1).map_err(db_error)?,
            name: row.try_get(2).map_err(db_error)?,
            dob: row.try_get(3).map_err(db_error)?,
            ssn: row.try_get(4).map_err(db_error)?,
            diagnosis: row.try_get(5).map_err(db_error)?,
        } == *intake;
        Ok(if same {
            Stored::Replayed(row.try_get(0).map_err(db_error)?)
        } else {
            Stored::Conflict
        })
    }

    /// Up to `limit` intakes received on `day` (UTC) at or before `until`
    /// (Unix seconds), in (received_at, id) order after the cursor `after`.
    /// Ids are handed out before commits, which finish in any order; a row
    /// received at or before `until` has committed (or failed) once
    /// `until` is older than the longest an insert can take, so that set no
    /// longer changes and a cursor through it skips nothing.
    pub async fn day(
        &self,
        day: &str,
        until: i64,
        after: Cursor,
        limit: i64,
    ) -> Result<Vec<StoredIntake>, String> {
        let rows = sqlx::query(
            "SELECT id, record_id, received_at, kid, name, dob, ssn, diagnosis FROM intakes \
             WHERE received_day = $1 AND received_at <= $2 \
             AND (received_at > $3 OR (received_at = $3 AND id > $4)) \
             ORDER BY received_at, id LIMIT $5",
        )
        .bind(day)
        .bind(until)
        .bind(after.received_at)
        .bind(after.id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        stored_intakes(&rows)
    }

    /// Up to `limit` intakes of any day with ids above `after`, skipping
    /// those sealed to `skip_kid` (key rotation: what still needs re-sealing).
    pub async fn page(
        &self,
        after: i64,
        limit: i64,
        skip_kid: Option<&str>,
    ) -> Result<Vec<StoredIntake>, String> {
        let rows = sqlx::query(
            "SELECT id, record_id, received_at, kid, name, dob, ssn, diagnosis FROM intakes \
             WHERE id > $1 AND kid <> $2 ORDER BY id LIMIT $3",
        )
        .bind(after)
        .bind(skip_kid.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        stored_intakes(&rows)
    }

    /// Replaces the sealed fields of rows, in one transaction: every row
    /// must exist with its id and record id, or nothing changes. Returns
    /// how many rows were updated.
    pub async fn replace_sealed(&self, rows: &[Resealed]) -> Result<u64, String> {
        let mut tx = self.pool.begin().await.map_err(db_error)?;
        for row in rows {
            let done = sqlx::query(
                "UPDATE intakes SET ssn = $1, diagnosis = $2, kid = $3 \
                 WHERE id = $4 AND record_id = $5",
            )
            .bind(&row.ssn)
            .bind(&row.diagnosis)
            .bind(&row.kid)
            .bind(row.id)
            .bind(&row.record_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            if done.rows_affected() != 1 {
                // Dropping `tx` rolls back.
                return Err(format!(
                    "row {} with record id {} is not in the database: nothing was changed",
                    row.id, row.record_id
                ));
            }
        }
        tx.commit().await.map_err(db_error)?;
        Ok(rows.len() as u64)
    }

    /// How many intakes are sealed to another key than `kid`.
    pub async fn count_not_on(&self, kid: &str) -> Result<i64, String> {
        let row = sqlx::query("SELECT COUNT(*) FROM intakes WHERE kid <> $1")
            .bind(kid)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        row.try_get(0).map_err(db_error)
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), String> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_error)
    }

    /// Closes the pool, waiting for statements in flight.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
