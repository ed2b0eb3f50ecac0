//! Library half of the end-to-end test crate; the tests live in `tests/`.
