//! CDR applications (`apps/app_cdr.c`, `apps/app_forkcdr.c`): `ResetCDR` restarts the simulated
//! record's times, `ForkCDR` starts a new record from now (the simulation keeps the newest).

use crate::interp::apps::AppDef;
use crate::interp::exec::{Exec, Flow};

pub(super) const APPS: &[AppDef] = &[
    AppDef::run("ResetCDR", "Resets the Call Data Record.", reset_cdr),
    AppDef::run("ForkCDR", "Forks the current Call Data Record for this channel.", fork_cdr),
];

fn reset_cdr(exec: &mut Exec<'_>, data: &str) -> Flow {
    exec.chan.cdr.start = exec.now;
    if exec.chan.cdr.answer.is_some() {
        exec.chan.cdr.answer = Some(exec.now);
    }
    if !data.contains('v') {
        exec.chan.cdr.vars.clear();
    }
    Flow::Next
}

fn fork_cdr(exec: &mut Exec<'_>, data: &str) -> Flow {
    exec.chan.cdr.start = exec.now;
    if exec.chan.cdr.answer.is_some() || data.contains('a') {
        exec.chan.cdr.answer = Some(exec.now);
    }
    if data.contains('r') {
        exec.chan.cdr.vars.clear();
    }
    Flow::Next
}
