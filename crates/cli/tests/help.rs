//! `--help` works for every command and shows an example; `--version` works.

mod common;

use common::ok;

#[test]
fn every_command_has_help_with_an_example() {
    let top = ok(&["--help"]);
    let commands = [
        "permission-id",
        "action-id",
        "session-digest",
        "multichain-hash",
        "encode-use",
        "decode-signature",
        "flz",
        "userop-hash",
        "policy",
        "decode-policy",
        "status",
        "grant",
        "use",
        "revoke",
    ];
    for c in commands {
        assert!(top.contains(c), "top-level help lists {c}");
        let help = ok(&[c, "--help"]);
        assert!(
            help.contains("Usage: nexus-sessions"),
            "{c} --help shows usage"
        );
        if !["flz"].contains(&c) {
            assert!(
                help.contains("Example") || help.contains("nexus-sessions "),
                "{c} --help has an example"
            );
        }
    }
    for c in ["compress", "decompress"] {
        assert!(ok(&["flz", c, "--help"]).contains("Example"));
    }
    // The policy help documents every config shape.
    let policy = ok(&["policy", "--help"]);
    for needle in [
        "valueLimitPerUse",
        "argIndex",
        "inRange",
        "validUntil",
        "spending-limits",
        "__type",
    ] {
        assert!(policy.contains(needle), "policy --help mentions {needle}");
    }
}

#[test]
fn version_prints() {
    assert!(ok(&["--version"]).starts_with("nexus-sessions "));
}
