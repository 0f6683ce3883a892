#!/usr/bin/env bash
# SIPp conformance run of `dialstate serve` (sip-presence.md sections 4-7), plus one real
# softphone (baresip, tests/sipp/baresip.sh).
#
#   tests/sipp/run.sh [SCENARIO...]      # default: every tests/sipp/*.xml, then baresip.sh
#
# Starts the server on free loopback ports (UDP and TCP on the same port) with the config of
# dialplans/sipp/, an in-memory database and a temporary control socket; runs each scenario as
#   sipp -sf X.xml -m 1 -i 127.0.0.1 -p LOCALPORT 127.0.0.1:SERVERPORT -timeout 20s -timeout_error
# (plus -default_behaviors all,-bye, so an unexpected message fails the scenario and no BYE is
# sent; -nostdin; the trace files; and `-t t1` for the scenarios that ask for TCP through a
# `sipp-args:` comment line); prints PASS/FAIL with timings, stops the server on exit, and exits
# non-zero on any failure. Traffic goes to 127.0.0.1 only.
#
# Environment:
#   DIALSTATE               the binary (default target/release/dialstate, else target/debug/dialstate)
#   DIALSTATE_REQUIRE_SIPP  when set, a missing sipp (or baresip) is a failure instead of a skip
#   SIPP_KEEP=1             keep the work folder (logs, SIP traces) and print where it is
#
# The scenarios change hint state through $SIPP_REMOTE (an <exec> action): a small script written
# here that runs `dialstate remote --control SOCKET -x CMD` and logs to remote.log.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

if ! command -v sipp >/dev/null 2>&1; then
    if [ -n "${DIALSTATE_REQUIRE_SIPP:-}" ]; then
        echo "FAIL: sipp is not installed (apt-get install sip-tester) and DIALSTATE_REQUIRE_SIPP is set" >&2
        exit 1
    fi
    echo "SKIP: sipp is not installed (apt-get install sip-tester); the SIPp tests did not run"
    exit 0
fi

if [ -z "${DIALSTATE:-}" ]; then
    if [ -x "$root/target/release/dialstate" ]; then
        DIALSTATE=$root/target/release/dialstate
    else
        DIALSTATE=$root/target/debug/dialstate
    fi
fi
case $DIALSTATE in
    /*) ;;
    */*) DIALSTATE=$PWD/$DIALSTATE ;;
    *) DIALSTATE=$(command -v "$DIALSTATE" || echo "$DIALSTATE") ;;
esac
if [ ! -x "$DIALSTATE" ]; then
    echo "FAIL: no dialstate binary at $DIALSTATE (cargo build --release, or set DIALSTATE)" >&2
    exit 1
fi
export DIALSTATE

work=$(mktemp -d /tmp/dialstate-sipp.XXXXXX)
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    if [ -n "${SIPP_KEEP:-}" ]; then
        echo "work folder kept: $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fs", b - a }'; }

# A port that no TCP or UDP socket (v4 or v6) uses locally, from /proc/net (no tool needed).
port_in_use() {
    local hex
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/udp /proc/net/tcp6 /proc/net/udp6 2>/dev/null |
        awk -v h=":$hex" 'NR > 0 { split($2, a, ":"); if (":" a[length(a)] == h) found = 1 } END { exit !found }'
}
free_port() {
    local p i
    for i in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        if ! port_in_use "$p"; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

ctl=$work/dialstate.ctl
remote() { "$DIALSTATE" remote --control "$ctl" -x "$1"; }

# The hook the scenarios' <exec> actions call: one console command, logged.
cat >"$work/remote" <<EOF
#!/bin/sh
echo "\$(date +%T.%N) remote: \$1" >>$(printf '%q' "$work/remote.log")
exec $(printf '%q' "$DIALSTATE") remote --control $(printf '%q' "$ctl") -x "\$1" >>$(printf '%q' "$work/remote.log") 2>&1
EOF
chmod +x "$work/remote"
export SIPP_REMOTE=$work/remote

start_server() {
    local attempt i
    for attempt in 1 2 3 4 5; do
        port=$(free_port) || { echo "FAIL: no free loopback port" >&2; return 1; }
        rm -f "$ctl"
        "$DIALSTATE" serve --config "$root/dialplans/sipp" \
            --sip "udp:127.0.0.1:$port" --sip "tcp:127.0.0.1:$port" \
            --db :memory: --control "$ctl" >"$work/server.log" 2>&1 &
        server_pid=$!
        for i in $(seq 1 100); do
            if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
            if [ -S "$ctl" ] && remote 'core show hints' >/dev/null 2>&1; then
                return 0
            fi
            sleep 0.1
        done
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=
        echo "server did not start on port $port (attempt $attempt):" >&2
        tail -5 "$work/server.log" >&2
    done
    return 1
}

t0=$(now)
start_server || { echo "FAIL: dialstate serve did not start" >&2; exit 1; }
echo "dialstate serve on udp+tcp 127.0.0.1:$port ($DIALSTATE, config dialplans/sipp)"
export SIPP_SERVER_PORT=$port

# Checks the runner makes after some scenarios, through the control socket.
watchers_of() { # EXTEN -> the watcher count `core show hints` prints for EXTEN@sipp
    remote 'core show hints' | awk -v e="$1@sipp" '$1 == e { print $NF }'
}
post_check() {
    case $1 in
        unsubscribe | expiry | notify-rejected)
            local exten w
            case $1 in unsubscribe) exten=6007 ;; expiry) exten=6008 ;; *) exten=6011 ;; esac
            w=$(watchers_of "$exten")
            if [ "$w" != 0 ]; then
                echo "  $exten@sipp still has watchers ($w) after the subscription ended"
                return 1
            fi
            ;;
    esac
    return 0
}

passed=0
failed=0
failures=()

if [ $# -gt 0 ]; then
    scenarios=("$@")
else
    scenarios=("$here"/*.xml)
fi

for f in "${scenarios[@]}"; do
    case $f in */*) ;; *) f=$here/$f ;; esac
    case $f in *.xml) ;; *) f=$f.xml ;; esac
    name=$(basename "$f" .xml)
    extra=$(sed -n 's/^ *sipp-args: *//p' "$f" | head -1)
    lport=$(free_port)
    start=$(now)
    # shellcheck disable=SC2086
    (cd "$work" && timeout 60 sipp -sf "$f" -m 1 -i 127.0.0.1 -p "$lport" "127.0.0.1:$port" \
        -timeout 20s -timeout_error -default_behaviors all,-bye -nostdin $extra \
        -trace_err -error_file "$work/$name.errors.log" \
        -trace_msg -message_file "$work/$name.messages.log" \
        </dev/null >"$work/$name.out" 2>&1)
    rc=$?
    ok=1
    [ "$rc" -eq 0 ] || ok=0
    if [ "$ok" = 1 ] && ! post_check "$name" >"$work/$name.post" 2>&1; then ok=0; fi
    took=$(elapsed "$start" "$(now)")
    if [ "$ok" = 1 ]; then
        echo "PASS  $name  ($took)"
        passed=$((passed + 1))
    else
        echo "FAIL  $name  ($took, sipp exit $rc)"
        failed=$((failed + 1))
        failures+=("$name")
        cat "$work/$name.post" 2>/dev/null
        if [ -s "$work/$name.errors.log" ]; then
            tail -40 "$work/$name.errors.log" | awk '{ print "  | " $0 }'
        else
            grep -v '^[[:space:]]*$' "$work/$name.out" | tail -15 | awk '{ print "  | " $0 }'
        fi
    fi
done

if [ $# -eq 0 ]; then
    if ! command -v baresip >/dev/null 2>&1; then
        if [ -n "${DIALSTATE_REQUIRE_SIPP:-}" ]; then
            echo "FAIL  baresip  (not installed: apt-get install baresip-core)"
            failed=$((failed + 1))
            failures+=(baresip)
        else
            echo "SKIP  baresip  (not installed: apt-get install baresip-core)"
        fi
    else
        start=$(now)
        if SIPP_WORK=$work bash "$here/baresip.sh" "$port" "$ctl" >"$work/baresip.result" 2>&1; then
            echo "PASS  baresip  ($(elapsed "$start" "$(now)"))"
            passed=$((passed + 1))
        else
            echo "FAIL  baresip  ($(elapsed "$start" "$(now)"))"
            failed=$((failed + 1))
            failures+=(baresip)
        fi
        awk '{ print "  | " $0 }' "$work/baresip.result"
    fi
fi

if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "FAIL  server  (dialstate serve exited during the run)"
    failed=$((failed + 1))
    failures+=(server)
    tail -20 "$work/server.log"
fi

echo "total $(elapsed "$t0" "$(now)")"
if [ "$failed" -ne 0 ]; then
    echo "failed: ${failures[*]}"
    echo "--- server log (last 20 lines)"
    tail -20 "$work/server.log"
fi
echo "sipp: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
