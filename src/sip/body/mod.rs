//! NOTIFY bodies for the `presence` and `dialog` event packages (spec sip-presence.md §7).
