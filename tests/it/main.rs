//! The single integration-test binary. Each module drives one area through the public interface
//! (the `dialstate` binary and the library API) and snapshots what a user would see.

mod ami;
mod ami_client;
mod cli;
mod cluster;
mod corpus;
mod interp;
mod publish;
mod register;
mod regression;
mod rls;
mod scripts;
mod serve;
mod sip;
mod support;
mod tidy;
