//! `manager.conf`: `[general]` (`enabled`, `port`, `bindaddr`, `timestampevents`) and one section
//! per user (`secret`, `deny`/`permit`, `read`/`write` class lists, `eventfilter`), read through
//! the config layer (templates, includes).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

use crate::config::SourceProvider;

/// Event and action classes (`include/asterisk/manager.h` `EVENT_FLAG_*`), in Asterisk's order.
pub const CLASSES: &[(&str, u32)] = &[
    ("system", 1 << 0),
    ("call", 1 << 1),
    ("log", 1 << 2),
    ("verbose", 1 << 3),
    ("command", 1 << 4),
    ("agent", 1 << 5),
    ("user", 1 << 6),
    ("config", 1 << 7),
    ("dtmf", 1 << 8),
    ("reporting", 1 << 9),
    ("cdr", 1 << 10),
    ("dialplan", 1 << 11),
    ("originate", 1 << 12),
    ("agi", 1 << 13),
    ("cc", 1 << 14),
    ("aoc", 1 << 15),
    ("test", 1 << 16),
    ("security", 1 << 17),
    ("message", 1 << 19),
];
pub const ALL: u32 = u32::MAX;
pub const SYSTEM: u32 = 1;
pub const CALL: u32 = 1 << 1;
pub const COMMAND: u32 = 1 << 4;
pub const REPORTING: u32 = 1 << 9;
pub const ORIGINATE: u32 = 1 << 12;

/// A class list (`system,call,...`, `all`, or `none`) as a mask.
pub fn parse_classes(text: &str) -> u32 {
    let mut mask = 0;
    for word in text.split(',').map(str::trim) {
        if word.eq_ignore_ascii_case("all") {
            mask = ALL;
        } else if let Some((_, bit)) = CLASSES.iter().find(|(n, _)| n.eq_ignore_ascii_case(word)) {
            mask |= bit;
        }
    }
    mask
}

/// The `Privilege:` text of an event of `category` (`call,all`): every class it has, then `all`.
pub fn privilege(category: u32) -> String {
    let mut names: Vec<&str> = CLASSES
        .iter()
        .filter(|(_, bit)| category & bit != 0)
        .map(|(n, _)| *n)
        .collect();
    names.push("all");
    names.join(",")
}

/// One ACL rule: permit or deny a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub permit: bool,
    pub net: IpAddr,
    pub prefix: u32,
}

impl Rule {
    fn parse(permit: bool, text: &str) -> Option<Rule> {
        let (addr, mask) = match text.split_once('/') {
            Some((a, m)) => (a.trim(), Some(m.trim())),
            None => (text.trim(), None),
        };
        let net: IpAddr = addr.parse().ok()?;
        let bits = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match mask {
            None => bits,
            Some(m) => match m.parse::<u32>() {
                Ok(n) if n <= bits => n,
                _ => match m.parse::<Ipv4Addr>() {
                    Ok(mask) => u32::from(mask).count_ones(),
                    Err(_) => return None,
                },
            },
        };
        Some(Rule {
            permit,
            net,
            prefix,
        })
    }

    fn matches(&self, ip: IpAddr) -> bool {
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.prefix)
                };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.prefix)
                };
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// One manager user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub secret: String,
    pub acl: Vec<Rule>,
    pub read: u32,
    pub write: u32,
    /// `eventfilter` lines: (`!` = must not match, regex text).
    pub filters: Vec<(bool, String)>,
}

impl User {
    /// Asterisk's ACL: allowed unless the last rule matching the address denies it.
    pub fn allows(&self, ip: IpAddr) -> bool {
        let mut allowed = true;
        for rule in &self.acl {
            if rule.matches(ip) {
                allowed = rule.permit;
            }
        }
        allowed
    }
}

/// Everything read from manager.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerConfig {
    pub enabled: bool,
    pub bind: SocketAddr,
    pub timestampevents: bool,
    pub users: HashMap<String, User>,
}

impl Default for ManagerConfig {
    fn default() -> ManagerConfig {
        ManagerConfig {
            enabled: false,
            bind: SocketAddr::from(([127, 0, 0, 1], 5038)),
            timestampevents: false,
            users: HashMap::new(),
        }
    }
}

fn yes(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "yes" | "true" | "y" | "t" | "1" | "on"
    )
}

/// Loads `path`; loading never fails (problems are diagnostics of the config layer).
pub fn load(provider: &dyn SourceProvider, path: &Path) -> crate::diag::Loaded<ManagerConfig> {
    let loaded = crate::config::load(provider, path);
    let mut conf = ManagerConfig::default();
    let mut port = 5038u16;
    let mut bindaddr: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    for cat in loaded.value.visible() {
        if &*cat.name == "general" {
            for item in &cat.items {
                let v = item.value().trim();
                match &*item.name {
                    "enabled" => conf.enabled = yes(v),
                    "port" => port = v.parse().unwrap_or(port),
                    "bindaddr" => bindaddr = v.parse().unwrap_or(bindaddr),
                    "timestampevents" => conf.timestampevents = yes(v),
                    _ => {}
                }
            }
            continue;
        }
        let mut user = User {
            name: cat.name.to_string(),
            secret: String::new(),
            acl: Vec::new(),
            read: 0,
            write: 0,
            filters: Vec::new(),
        };
        for item in &cat.items {
            let v = item.value().trim();
            match &*item.name {
                "secret" => user.secret = v.to_string(),
                "deny" | "permit" => {
                    if let Some(rule) = Rule::parse(&*item.name == "permit", v) {
                        user.acl.push(rule);
                    }
                }
                "read" => user.read = parse_classes(v),
                "write" => user.write = parse_classes(v),
                "eventfilter" => match v.strip_prefix('!') {
                    Some(rest) => user.filters.push((true, rest.to_string())),
                    None => user.filters.push((false, v.to_string())),
                },
                _ => {}
            }
        }
        conf.users.insert(user.name.clone(), user);
    }
    conf.bind = SocketAddr::new(bindaddr, port);
    crate::diag::Loaded {
        value: conf,
        sources: loaded.sources,
        diagnostics: loaded.diagnostics,
    }
}

/// Loads manager.conf text (tests).
pub fn load_str(name: &str, text: &str) -> ManagerConfig {
    let provider = crate::config::MemProvider::default().with(name, text.as_bytes().to_vec());
    load(&provider, Path::new(name)).value
}

#[cfg(test)]
mod tests;
