//! Consumption of cumulative limits, tracked locally.

use alloy_primitives::{Address, U256};
use nexus_sessions_types::ActionId;
use std::{collections::HashMap, hash::Hash};

/// Where a tracked amount belongs: the policy storage key SmartSession would use (user-op level or
/// one action) plus the policy contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Scope {
    UserOp(Address),
    Action(ActionId, Address),
}

/// Consumption of cumulative limits, tracked locally per policy configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyUsage {
    pub(super) uses: HashMap<Scope, u128>,
    pub(super) value: HashMap<Scope, U256>,
    pub(super) tokens: HashMap<(Scope, Address), U256>,
    pub(super) params: HashMap<(Scope, usize), U256>,
}

impl PolicyUsage {
    /// Adds `other` (the consumption of a sent operation) to this record.
    pub fn add(&mut self, other: &Self) {
        for (k, v) in &other.uses {
            *self.uses.entry(*k).or_default() += v;
        }
        for (k, v) in &other.value {
            let e = self.value.entry(*k).or_default();
            *e = e.saturating_add(*v);
        }
        for (k, v) in &other.tokens {
            let e = self.tokens.entry(*k).or_default();
            *e = e.saturating_add(*v);
        }
        for (k, v) in &other.params {
            let e = self.params.entry(*k).or_default();
            *e = e.saturating_add(*v);
        }
    }

    /// Takes `other` (a reservation whose operation was not sent) back out of this record.
    pub fn remove(&mut self, other: &Self) {
        fn sub<K: Hash + Eq + Copy, V: Copy + Default + Eq>(
            map: &mut HashMap<K, V>,
            other: &HashMap<K, V>,
            minus: fn(V, V) -> V,
        ) {
            for (k, v) in other {
                if let Some(e) = map.get_mut(k) {
                    *e = minus(*e, *v);
                    if *e == V::default() {
                        map.remove(k);
                    }
                }
            }
        }
        sub(&mut self.uses, &other.uses, u128::saturating_sub);
        sub(&mut self.value, &other.value, U256::saturating_sub);
        sub(&mut self.tokens, &other.tokens, U256::saturating_sub);
        sub(&mut self.params, &other.params, U256::saturating_sub);
    }

    /// True when nothing was consumed.
    pub fn is_empty(&self) -> bool {
        self.uses.is_empty()
            && self.value.is_empty()
            && self.tokens.is_empty()
            && self.params.is_empty()
    }
}

pub(super) fn tracked(
    base: &HashMap<Scope, u128>,
    delta: &HashMap<Scope, u128>,
    scope: &Scope,
) -> u128 {
    base.get(scope)
        .copied()
        .unwrap_or(0)
        .saturating_add(delta.get(scope).copied().unwrap_or(0))
}

pub(super) fn tracked_u256(
    base: &HashMap<Scope, U256>,
    delta: &HashMap<Scope, U256>,
    scope: &Scope,
) -> U256 {
    base.get(scope)
        .copied()
        .unwrap_or_default()
        .saturating_add(delta.get(scope).copied().unwrap_or_default())
}
