#!/usr/bin/env bash
# One real softphone against `dialstate serve`: baresip's presence module watches 6003.
#
#   tests/sipp/baresip.sh SERVERPORT CONTROLSOCKET      (run.sh calls it; needs $DIALSTATE)
#
# baresip runs with a temporary config folder (-f): account carol (no registration), one
# contact <sip:6003@127.0.0.1:SERVERPORT>;presence=p2p, modules account/contact/menu/presence,
# SIP trace on (-s) so its log shows every message. The script then checks, each step bounded:
#   1. the server lists carol's subscription to 6003/presence and baresip got the initial
#      NOTIFY (<note>Ready</note>);
#   2. `devstate change Custom:lamp3 UNAVAILABLE` -> baresip gets <basic>closed</basic> and
#      reports the contact Offline;
#   3. `devstate change Custom:lamp3 INUSE` -> baresip gets <note>On the phone</note> and
#      reports the contact Busy;
#   4. the subscription is still listed and 6003 has 1 watcher (baresip answered the NOTIFYs
#      200 OK: a failed NOTIFY ends a subscription, sip-presence.md 6.8);
#   5. baresip quits (SIGTERM): it unsubscribes, and the server drops the watcher (the final
#      NOTIFY is checked by the SIPp scenario `unsubscribe`: baresip may be gone before it).
# Everything stays on 127.0.0.1.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 SERVERPORT CONTROLSOCKET (with DIALSTATE set)" >&2
    exit 2
fi
sport=$1
ctl=$2
: "${DIALSTATE:?DIALSTATE must name the dialstate binary}"

dir=$(mktemp -d "${SIPP_WORK:-/tmp}/baresip.XXXXXX")
log=$dir/baresip.log
bpid=

finish() {
    if [ -n "$bpid" ] && kill -0 "$bpid" 2>/dev/null; then
        kill "$bpid" 2>/dev/null
        wait "$bpid" 2>/dev/null
    fi
}
trap finish EXIT

remote() { "$DIALSTATE" remote --control "$ctl" -x "$1"; }
plain_log() { sed 's/\x1b\[[0-9;]*m//g' "$log" 2>/dev/null; }
fail() {
    echo "FAIL: $*"
    echo "--- server: pjsip show subscriptions inbound"
    remote 'pjsip show subscriptions inbound' 2>&1 | tail -12
    echo "--- baresip log (last 60 lines, $log)"
    plain_log | tail -60
    exit 1
}
# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s until it succeeds.
wait_for() {
    local secs=$1 what=$2 i
    shift 2
    for i in $(seq 1 $((secs * 5))); do
        if "$@"; then
            echo "ok: $what"
            return 0
        fi
        sleep 0.2
    done
    fail "$what (not within ${secs}s)"
}

port_in_use() {
    local hex
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/udp /proc/net/tcp6 /proc/net/udp6 2>/dev/null |
        awk -v h=":$hex" '{ split($2, a, ":"); if (":" a[length(a)] == h) found = 1 } END { exit !found }'
}
bport=
for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! port_in_use "$p"; then bport=$p; break; fi
done
[ -n "$bport" ] || fail "no free loopback port for baresip"

modules=
for d in /usr/lib/baresip/modules /usr/lib/*/baresip/modules /usr/local/lib/baresip/modules; do
    if [ -f "$d/presence.so" ]; then modules=$d; break; fi
done
[ -n "$modules" ] || fail "baresip's presence.so not found (apt-get install baresip-core)"

cat >"$dir/config" <<EOF
poll_method		epoll
sip_listen		127.0.0.1:$bport
module_path		$modules
module_app		account.so
module_app		contact.so
module_app		menu.so
module_app		presence.so
EOF
echo "<sip:carol@127.0.0.1:$sport>;regint=0" >"$dir/accounts"
echo "\"Lamp 3\" <sip:6003@127.0.0.1:$sport>;presence=p2p" >"$dir/contacts"

remote 'devstate change Custom:lamp3 NOT_INUSE' >/dev/null || fail "dialstate remote does not answer on $ctl"

# -t: baresip quits by itself after 30 s whatever happens; timeout(1) is the last resort.
timeout -k 5 45 baresip -f "$dir" -s -t 30 </dev/null >"$log" 2>&1 &
bpid=$!
echo "baresip (pid $bpid) on udp 127.0.0.1:$bport, contact sip:6003@127.0.0.1:$sport;presence=p2p"

subscribed() {
    remote 'pjsip show subscriptions inbound' |
        awk '/^Endpoint: carol\// { c = 1; next } c && /^Resource: 6003\/presence/ { f = 1 } { c = 0 } END { exit !f }'
}
watchers() { remote 'core show hints' | awk '$1 == "6003@sipp" { print $NF }'; }
hint_state() { remote 'core show hints' | awk '$1 == "6003@sipp"' | grep -o 'State:[A-Za-z&]*'; }
logged() { plain_log | grep -Eq "$1"; }

wait_for 10 "the server lists carol's subscription to 6003/presence" subscribed
wait_for 5 "baresip got the initial NOTIFY (open, Ready)" logged '<note>Ready</note>'
logged '<basic>open</basic>' || fail "the initial NOTIFY did not say <basic>open</basic>"

remote 'devstate change Custom:lamp3 UNAVAILABLE' >/dev/null
wait_for 5 "baresip got <basic>closed</basic> (Unavailable)" logged '<note>Unavailable</note>'
wait_for 5 "baresip shows 6003 Offline" logged '6003@127\.0\.0\.1:[0-9]+> changed status from .* to Offline'

remote 'devstate change Custom:lamp3 INUSE' >/dev/null
wait_for 5 "baresip got <note>On the phone</note>" logged '<note>On the phone</note>'
wait_for 5 "baresip shows 6003 Busy" logged '6003@127\.0\.0\.1:[0-9]+> changed status from Offline to Busy'

# Every NOTIFY of the dialog answered 200 OK by baresip, and the subscription survived them.
n_notify=$(plain_log | grep -c '^NOTIFY sip:carol')
n_ok=$(plain_log | grep -A5 '^SIP/2.0 200 OK' | grep -c '^CSeq: [0-9]* NOTIFY')
[ "$n_notify" -ge 3 ] && [ "$n_ok" -ge "$n_notify" ] ||
    fail "baresip answered $n_ok of $n_notify NOTIFYs with 200 OK"
echo "ok: baresip answered all $n_notify NOTIFYs 200 OK"
subscribed || fail "the subscription is gone after the state changes"
w=$(watchers)
[ "$w" = 1 ] || fail "6003@sipp has $w watchers, expected 1"
echo "ok: still subscribed, 6003@sipp $(hint_state), Watchers $w"

kill "$bpid"
for i in $(seq 1 50); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.2; done
kill -0 "$bpid" 2>/dev/null && fail "baresip did not quit within 10 s of SIGTERM"
wait "$bpid" 2>/dev/null
bpid=
gone() { ! subscribed && [ "$(watchers)" = 0 ]; }
wait_for 5 "baresip unsubscribed on exit: no subscription, 6003@sipp Watchers 0" gone
# baresip exits as soon as its unsubscribe is answered, so whether it is still there to log
# the final NOTIFY is a race on its side (the SIPp scenario `unsubscribe` checks that NOTIFY).
if logged '^Subscription-State: terminated'; then
    echo "ok: final NOTIFY terminated"
else
    echo "note: baresip exited before the final NOTIFY reached it"
fi
exit 0
