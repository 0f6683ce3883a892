//! The astdb application (`apps/app_db.c`): `DBdeltree` deletes a family or a key tree of the
//! state database the console keeps. (`DBdel` was removed before Asterisk 22; `DB_DELETE()`
//! replaces it.)

use crate::interp::apps::AppDef;
use crate::interp::exec::{Exec, Flow};

pub(super) const APPS: &[AppDef] = &[AppDef::run(
    "DBdeltree",
    "Delete a family or keytree from the asterisk database.",
    db_deltree,
)];

fn db_deltree(exec: &mut Exec<'_>, data: &str) -> Flow {
    let (family, keytree) = match data.split_once('/') {
        Some((family, keytree)) => (family, Some(keytree).filter(|it| !it.is_empty())),
        None => (data, None),
    };
    match keytree {
        Some(keytree) => exec.verbose(3, format!("DBdeltree: family={family}, keytree={keytree}")),
        None => exec.verbose(3, format!("DBdeltree: family={family}")),
    }
    if exec.env.db_deltree(family, keytree.unwrap_or("")).is_err() {
        exec.verbose(3, "DBdeltree: Error deleting key from database.".to_string());
    }
    Flow::Next
}
