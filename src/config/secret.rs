//! API keys: kept whole only for the request that needs them, and masked wherever they are shown.

use std::fmt;

use serde::Deserialize;

#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

/// Keys shorter than this are not even partly shown: four characters would be too much of them.
const SHORTEST_PARTLY_SHOWN: usize = 16;

impl Secret {
    pub fn new(key: String) -> Secret {
        Secret(key)
    }

    /// The key itself, for the request's header.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The key as `rlmsh config` shows it: a short vendor prefix such as `sk-` and the last four
    /// characters (`sk-…abcd`), enough to tell keys apart.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < SHORTEST_PARTLY_SHOWN {
            return "(set, hidden)".to_string();
        }
        let prefix = match self.0.split_once('-') {
            Some((vendor, _)) if (1..=3).contains(&vendor.len()) && vendor.chars().all(|c| c.is_ascii_alphanumeric()) => format!("{vendor}-"),
            _ => String::new(),
        };
        let last: String = chars[chars.len() - 4..].iter().collect();
        format!("{prefix}…{last}")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_a_vendor_prefix_and_the_last_four_characters() {
        assert_eq!(Secret::new("sk-proj-abcdefghijklmnop1234".into()).masked(), "sk-…1234");
        assert_eq!(Secret::new("sk-ant-api03-0123456789wxyz".into()).masked(), "sk-…wxyz");
        assert_eq!(Secret::new("0123456789abcdefWXYZ".into()).masked(), "…WXYZ");
        assert_eq!(Secret::new("longvendorname-0123456789abcdef".into()).masked(), "…cdef");
        assert_eq!(Secret::new("sk-short".into()).masked(), "(set, hidden)");
        assert_eq!(Secret::new("ключ-ключ-ключ-ключ-ключ".into()).masked(), "…ключ");
    }

    #[test]
    fn debug_output_is_masked() {
        let key = Secret::new("sk-proj-abcdefghijklmnop1234".into());
        assert_eq!(format!("{key:?}"), "sk-…1234");
    }
}
