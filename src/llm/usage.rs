//! Token accounting: totals per run and per model, estimated cost, and token budgets.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::request::Usage;
use crate::value::Opaque;

#[derive(Clone, Copy, Default)]
pub struct ModelUsage {
    pub calls: u64,
    pub prompt: u64,
    pub completion: u64,
}

#[derive(Default)]
pub struct Totals {
    pub by_model: BTreeMap<String, ModelUsage>,
    /// The latest `x-ratelimit-*` values any provider sent.
    pub rate_limits: BTreeMap<String, String>,
}

impl Totals {
    pub fn record(&mut self, model: &str, usage: Usage) {
        let entry = self.by_model.entry(model.to_string()).or_default();
        entry.calls += 1;
        entry.prompt += usage.prompt;
        entry.completion += usage.completion;
    }

    pub fn sum(&self) -> ModelUsage {
        self.by_model.values().fold(ModelUsage::default(), |acc, m| ModelUsage {
            calls: acc.calls + m.calls,
            prompt: acc.prompt + m.prompt,
            completion: acc.completion + m.completion,
        })
    }

    pub fn cost_usd(&self) -> f64 {
        // A fold from +0.0: an empty f64 sum is -0.0, which would print as such.
        self.by_model.iter().fold(0.0, |acc, (model, u)| acc + cost_usd(model, u.prompt, u.completion))
    }
}

pub type SharedTotals = Arc<Mutex<Totals>>;

/// USD per million prompt and completion tokens, matched by the longest prefix of the model
/// name (without a provider prefix). Unknown models cost nothing in the estimate.
const PRICES: &[(&str, f64, f64)] = &[
    ("gpt-4o-mini", 0.15, 0.60),
    ("gpt-4o", 2.50, 10.00),
    ("gpt-4.1-nano", 0.10, 0.40),
    ("gpt-4.1-mini", 0.40, 1.60),
    ("gpt-4.1", 2.00, 8.00),
    ("gpt-4-turbo", 10.00, 30.00),
    ("gpt-4", 30.00, 60.00),
    ("gpt-3.5-turbo", 0.50, 1.50),
    ("o1-mini", 1.10, 4.40),
    ("o1", 15.00, 60.00),
    ("o3-mini", 1.10, 4.40),
    ("o4-mini", 1.10, 4.40),
    ("claude-3-5-haiku", 0.80, 4.00),
    ("claude-3-5-sonnet", 3.00, 15.00),
    ("claude-3-7-sonnet", 3.00, 15.00),
    ("claude-3-opus", 15.00, 75.00),
    ("claude-3-haiku", 0.25, 1.25),
    ("claude-sonnet-4", 3.00, 15.00),
    ("claude-opus-4", 15.00, 75.00),
    ("claude-haiku-4", 1.00, 5.00),
];

pub fn cost_usd(model: &str, prompt: u64, completion: u64) -> f64 {
    if model.starts_with("offline/") {
        return 0.0;
    }
    let name = model.rsplit('/').next().unwrap_or(model);
    PRICES
        .iter()
        .filter(|(prefix, _, _)| name.starts_with(prefix))
        .max_by_key(|(prefix, _, _)| prefix.len())
        .map_or(0.0, |(_, input, output)| (prompt as f64 * input + completion as f64 * output) / 1e6)
}

/// One token budget: the value of the `token-budget` parameter in a scope. Calls add what they
/// use to every budget in force when they started.
pub struct Budget {
    pub limit: Option<u64>,
    pub used: AtomicU64,
}

impl Budget {
    pub fn new(limit: Option<u64>) -> Arc<Budget> {
        Arc::new(Budget { limit, used: AtomicU64::new(0) })
    }

    pub fn exhausted(&self) -> bool {
        self.limit.is_some_and(|limit| self.used.load(Ordering::Relaxed) >= limit)
    }

    pub fn charge(&self, tokens: u64) {
        self.used.fetch_add(tokens, Ordering::Relaxed);
    }
}

/// A budget as a Scheme value.
pub struct BudgetValue(pub Arc<Budget>);

impl Opaque for BudgetValue {
    fn type_name(&self) -> String {
        let used = self.0.used.load(Ordering::Relaxed);
        match self.0.limit {
            Some(limit) => format!("token-budget:{used}/{limit}"),
            None => format!("token-budget:{used}/unlimited"),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_match_the_longest_prefix() {
        assert!((cost_usd("gpt-4o-mini-2024-07-18", 1_000_000, 0) - 0.15).abs() < 1e-9);
        assert!((cost_usd("openai/gpt-4o", 0, 1_000_000) - 10.0).abs() < 1e-9);
        assert_eq!(cost_usd("my-local-model", 1000, 1000), 0.0);
    }
}
