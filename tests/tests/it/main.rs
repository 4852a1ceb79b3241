//! End-to-end tests: the real `tessera` binary, real HTTP on 127.0.0.1, a real redb file.
// Helpers in test modules are test code too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod account;
mod brute_force;
mod busy;
mod cli;
mod crash;
mod errors;
mod flow;
mod hostile;
mod restart;
mod startup;
mod tokens;
