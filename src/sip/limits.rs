//! Every bound of the SIP layer, in one place.

/// The largest SIP message accepted or sent (pjsip's `PJSIP_MAX_PKT_LEN` as Asterisk sets it).
pub const MAX_MESSAGE: usize = 65_535;
/// Bytes a TCP connection may hold unparsed before it is closed.
pub const MAX_TCP_BUFFER: usize = 2 * MAX_MESSAGE;
/// Headers one message may carry.
pub const MAX_HEADERS: usize = 128;
/// Accept values looked at (Asterisk's limit, spec §5).
pub const MAX_ACCEPT: usize = 32;
/// Subscriptions one source IP may hold.
pub const MAX_SUBSCRIPTIONS_PER_PEER: usize = 20_000;
/// Subscriptions the server holds in all.
pub const MAX_SUBSCRIPTIONS: usize = 250_000;
/// Concurrent TCP connections.
pub const MAX_TCP_CONNECTIONS: usize = 10_000;
/// Seconds a TCP connection may stay silent before it is closed (slow or half-open peers).
pub const TCP_IDLE_SECS: u64 = 300;
/// Seconds a TCP peer may take to finish a message it started.
pub const TCP_PARTIAL_SECS: u64 = 30;
/// Requests per second one source IP may send before further ones are dropped.
pub const REQUESTS_PER_PEER_PER_SEC: u32 = 20_000;
/// The longest and the default subscription (spec §4: `DEFAULT_EXPIRES`).
pub const MAX_EXPIRES: u32 = 3600;
/// RFC 3261 timer T1 and T2, in milliseconds.
pub const T1_MS: u64 = 500;
pub const T2_MS: u64 = 4000;
/// Timer F / J: 64·T1.
pub const TIMER_F_MS: u64 = 64 * T1_MS;
/// Server transactions remembered for retransmissions (bounded; the oldest are forgotten).
pub const MAX_SERVER_TRANSACTIONS: usize = 500_000;
/// Receive and send buffer asked for each UDP socket.
pub const UDP_BUFFER: usize = 4 << 20;
/// Changes waiting per outbound publisher (the oldest are dropped beyond it).
pub const MAX_PUBLISH_QUEUE: usize = 65_536;
/// Live inbound publications.
pub const MAX_PUBLICATIONS: usize = 10_000;
/// Host names of NOTIFY destinations kept resolved.
pub const MAX_DNS_NAMES: usize = 10_000;
/// Host-name lookups in flight at once (further names use the packet source).
pub const MAX_DNS_LOOKUPS: usize = 64;
