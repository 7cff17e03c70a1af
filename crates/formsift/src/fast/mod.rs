//! Fast paths: byte-level routines the hot loops call, kept out of the
//! domain code so it stays readable. Each has a plain definition it is
//! tested against; target-specific SIMD sits behind the `simd` feature
//! (on by default) with a portable fallback. Why each exists, and what it
//! saved, is in `docs/performance.md`.

pub mod search;
pub mod swar;
pub mod utf8;
