//! ABI of the universal action policy's config (identical in every version).

alloy_sol_types::sol! {
    #![sol(all_derives)]

    /// Cumulative limit of a rule.
    struct LimitUsage {
        uint256 limit;
        uint256 used;
    }

    /// One parameter rule. `condition` is the `ParamCondition` enum (uint8).
    struct ParamRule {
        uint8 condition;
        uint64 offset;
        bool isLimited;
        bytes32 ref;
        LimitUsage usage;
    }

    /// Always 16 rules; only the first `length` are used.
    struct ParamRules {
        uint256 length;
        ParamRule[16] rules;
    }

    /// `initData = abi.encode(ActionConfig)`: a flat 98-word (3,136-byte) static tuple.
    struct ActionConfig {
        uint256 valueLimitPerUse;
        ParamRules paramRules;
    }
}
