//! Fresh, isolated stores for tests of this crate and of the crates above it: a SQLite
//! file in a temporary directory, and (when `MAHASIL_TEST_DATABASE_URL` is set) a
//! PostgreSQL schema of its own.
