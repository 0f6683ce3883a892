//! Interpreter tests that need no PBX: compiled application data must substitute exactly like
//! the general scanner, on generated data and variable values.

use crate::dialplan::{load_str, Dialplan};
use crate::interp::exec::Exec;
use crate::interp::Env;
use crate::state::{Change, DeviceState, StateEngine};

/// The smallest `Env`: a dialplan, a state engine and nothing persisted.
struct TestEnv {
    plan: std::sync::Arc<Dialplan>,
    state: StateEngine,
}

impl Env for TestEnv {
    fn dialplan(&self) -> &Dialplan {
        &self.plan
    }
    fn shared_dialplan(&self) -> std::sync::Arc<Dialplan> {
        self.plan.clone()
    }
    fn state(&self) -> &StateEngine {
        &self.state
    }
    fn set_device(&mut self, id: &str, state: DeviceState) -> Vec<Change> {
        self.state.set_device(id, state)
    }
    fn global(&self, name: &str) -> Option<String> {
        self.plan.globals.get(name).map(|it| it.to_string())
    }
    fn set_global(&mut self, _: &str, _: &str) {}
    fn delete_global(&mut self, _: &str) {}
    fn write_custom_device(&mut self, _: &str, _: &str) -> Result<Vec<Change>, String> {
        Err("read-only".to_string())
    }
    fn write_custom_presence(&mut self, _: &str, _: &str) -> Result<Vec<Change>, String> {
        Err("read-only".to_string())
    }
    fn db_get(&self, _: &str, _: &str) -> Option<String> {
        None
    }
    fn db_put(&mut self, _: &str, _: &str, _: &str) -> Result<(), String> {
        Ok(())
    }
    fn db_del(&mut self, _: &str, _: &str) -> bool {
        false
    }
    fn db_tree(&self, _: &str) -> Vec<(String, String)> {
        Vec::new()
    }
    fn db_deltree(&mut self, _: &str, _: &str) -> Result<usize, String> {
        Ok(0)
    }
    fn add_hint(&mut self, _: &str, _: &str, _: &str) {}
    fn next_channel(&mut self) -> u32 {
        1
    }
}

#[test]
fn compiled_data_substitutes_like_the_scanner() {
    let mut env = TestEnv {
        plan: std::sync::Arc::new(
            load_str(
                "t.conf",
                "[globals]\nG=glob\n[default]\nexten => s,1,NoOp\n",
            )
            .value,
        ),
        state: StateEngine::default(),
    };
    let pieces = [
        "${A}",
        "${B}",
        "${G}",
        "${NOPE}",
        "$[",
        "]",
        " + ",
        " 1",
        "2",
        " = ",
        "\"",
        "x",
        "${",
        "}",
        "$",
        "(",
        ")",
        ":",
        "?",
        " ",
        "${A:1}",
        "${LEN(ab)}",
        "-",
        "&",
        "0",
    ];
    let values = [
        "", "0", "5", "-3", "1.5", "abc", "a b", "1 + 2", "\"q\"", "07", "(",
    ];
    let mut seed: u32 = 4242;
    let mut next = || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        (seed >> 16) as usize
    };
    let mut compiled_used = 0;
    for round in 0..4000 {
        let mut data = String::new();
        for _ in 0..(next() % 8) {
            data.push_str(pieces[next() % pieces.len()]);
        }
        let a = values[next() % values.len()];
        let b = values[next() % values.len()];
        let mut exec = Exec::for_test(&mut env);
        exec.chan.set("A", a);
        exec.chan.set("B", b);
        let general = exec.substitute(&data);
        let general_events = std::mem::take(&mut exec.events);
        // A fresh executor so the compile cache starts empty; the key is the data's address.
        let mut exec = Exec::for_test(&mut env);
        exec.chan.set("A", a);
        exec.chan.set("B", b);
        let compiled = exec.substitute_data(&data, data.as_ptr() as usize);
        let compiled_events = std::mem::take(&mut exec.events);
        let twice = exec.substitute_data(&data, data.as_ptr() as usize);
        if crate::interp::compiled::compile(&data).is_some() {
            compiled_used += 1;
        }
        assert_eq!(
            compiled, general,
            "round {round}: data {data:?} with A={a:?} B={b:?}"
        );
        assert_eq!(twice, general, "round {round}: cached data {data:?}");
        assert_eq!(
            compiled_events, general_events,
            "round {round}: warnings for {data:?}"
        );
    }
    assert!(
        compiled_used > 1000,
        "compiled path taken only {compiled_used} times"
    );
}
