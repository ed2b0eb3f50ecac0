//! `nexus-sessions` command line.

fn main() {}
