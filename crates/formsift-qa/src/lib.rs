//! Quality tooling for formsift, outside the product library: golden-file
//! regression ([`golden`]) and evaluation against gold labels with
//! calibration refits ([`eval`]). The `formsift golden`, `eval` and
//! `calibrate` subcommands are thin shells over these modules.

pub mod eval;
pub mod golden;
