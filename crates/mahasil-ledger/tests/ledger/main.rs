//! Tests of the ledger through its public API: each event builder, each rule of `check`,
//! property tests of random business histories, and mutation tests of valid ledgers.

mod builders;
mod fixtures;
mod model;
mod mutations;
mod properties;
mod reported;
mod rules;
