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
    pub prices: Prices,
}

impl Totals {
    pub fn new(prices: Prices) -> Totals {
        Totals { prices, ..Totals::default() }
    }

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
        self.by_model.iter().fold(0.0, |acc, (model, u)| acc + self.prices.cost_usd(model, u.prompt, u.completion))
    }
}

pub type SharedTotals = Arc<Mutex<Totals>>;

/// USD per million prompt tokens and per million completion tokens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Price {
    pub prompt: f64,
    pub completion: f64,
}

const fn price(prompt: f64, completion: f64) -> Price {
    Price { prompt, completion }
}

/// The built-in estimate, by model-name prefix; the configuration may override and extend it.
pub const BUILTIN_PRICES: &[(&str, Price)] = &[
    ("gpt-4o-mini", price(0.15, 0.60)),
    ("gpt-4o", price(2.50, 10.00)),
    ("gpt-4.1-nano", price(0.10, 0.40)),
    ("gpt-4.1-mini", price(0.40, 1.60)),
    ("gpt-4.1", price(2.00, 8.00)),
    ("gpt-4-turbo", price(10.00, 30.00)),
    ("gpt-4", price(30.00, 60.00)),
    ("gpt-3.5-turbo", price(0.50, 1.50)),
    ("o1-mini", price(1.10, 4.40)),
    ("o1", price(15.00, 60.00)),
    ("o3-mini", price(1.10, 4.40)),
    ("o4-mini", price(1.10, 4.40)),
    ("claude-3-5-haiku", price(0.80, 4.00)),
    ("claude-3-5-sonnet", price(3.00, 15.00)),
    ("claude-3-7-sonnet", price(3.00, 15.00)),
    ("claude-3-opus", price(15.00, 75.00)),
    ("claude-3-haiku", price(0.25, 1.25)),
    ("claude-sonnet-4", price(3.00, 15.00)),
    ("claude-opus-4", price(15.00, 75.00)),
    ("claude-haiku-4", price(1.00, 5.00)),
];

/// The price table of a run: the built-in one with the configured entries laid over it (an
/// entry with a built-in's name replaces it).
#[derive(Clone, Debug, Default)]
pub struct Prices {
    configured: Vec<(String, Price)>,
}

impl Prices {
    pub fn new(configured: impl IntoIterator<Item = (String, Price)>) -> Prices {
        Prices { configured: configured.into_iter().collect() }
    }

    /// The price of a usage key (`provider/model`): the entry whose name is the longest prefix
    /// of the model name, or of its last `/` segment (a gateway's `vendor/model`). Unknown
    /// models and the offline model cost nothing.
    pub fn lookup(&self, model: &str) -> Option<Price> {
        if model.starts_with("offline/") {
            return None;
        }
        let name = model.split_once('/').map_or(model, |(_, name)| name);
        let last = name.rsplit('/').next().unwrap_or(name);
        let matches = |prefix: &str| name.starts_with(prefix) || last.starts_with(prefix);
        let builtin = BUILTIN_PRICES
            .iter()
            .filter(|(prefix, _)| !self.configured.iter().any(|(name, _)| name == prefix))
            .map(|(prefix, price)| (*prefix, *price));
        let configured = self.configured.iter().map(|(prefix, price)| (prefix.as_str(), *price));
        configured.chain(builtin).filter(|(prefix, _)| matches(prefix)).max_by_key(|(prefix, _)| prefix.len()).map(|(_, price)| price)
    }

    pub fn cost_usd(&self, model: &str, prompt: u64, completion: u64) -> f64 {
        self.lookup(model).map_or(0.0, |p| (prompt as f64 * p.prompt + completion as f64 * p.completion) / 1e6)
    }
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

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn prices_match_the_longest_prefix() {
        let prices = Prices::default();
        assert!(close(prices.cost_usd("openai/gpt-4o-mini-2024-07-18", 1_000_000, 0), 0.15));
        assert!(close(prices.cost_usd("openai/gpt-4o", 0, 1_000_000), 10.0));
        assert!(close(prices.cost_usd("openai/anthropic/claude-3-5-sonnet", 1_000_000, 0), 3.0));
        assert_eq!(prices.cost_usd("openai/my-local-model", 1000, 1000), 0.0);
        assert_eq!(prices.cost_usd("offline/gpt-4o", 1000, 1000), 0.0);
    }

    #[test]
    fn configured_prices_replace_and_extend_the_built_in_ones() {
        let prices = Prices::new([
            ("gpt-4o".to_string(), price(1.0, 2.0)),
            ("my-model".to_string(), price(0.5, 4.0)),
            ("meta-llama/llama-3".to_string(), price(0.2, 0.2)),
        ]);
        // 3,000 prompt and 500 completion tokens at 1 and 2 USD per million.
        assert!(close(prices.cost_usd("openai/gpt-4o-2024-08-06", 3_000, 500), (3_000.0 * 1.0 + 500.0 * 2.0) / 1e6));
        // A longer built-in prefix still wins over a shorter configured one.
        assert!(close(prices.cost_usd("openai/gpt-4o-mini", 1_000_000, 0), 0.15));
        assert!(close(prices.cost_usd("openai/my-model-v2", 2_000_000, 1_000_000), 1.0 + 4.0));
        assert!(close(prices.cost_usd("openai/meta-llama/llama-3.1-70b", 1_000_000, 0), 0.2));
        assert_eq!(prices.lookup("openai/gpt-4.1"), Some(price(2.0, 8.0)));
    }
}
