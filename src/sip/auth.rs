//! Digest authentication of SIP requests (RFC 7616 / RFC 3261 §22): challenges, nonces and
//! credential checks.
