//! The scaffold that makes a script an orchestration program: `finish` (end with a result from
//! any depth) and checkpoints (survive crashes and reruns).

pub mod checkpoints;
mod primitives;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::interp::Interp;
use crate::value::Value;

pub use primitives::PRIMITIVES;

/// The named context slots of `--context NAME=PATH`.
struct ContextSlots(HashMap<String, Value>);

pub fn set_context_slots(interp: &mut Interp, slots: HashMap<String, Value>) {
    interp.set_extension(ContextSlots(slots));
}

fn context_slot(interp: &mut Interp, name: &str) -> Option<Value> {
    interp.extension::<ContextSlots>().and_then(|slots| slots.0.get(name).cloned())
}

/// Where an instance keeps its checkpoints.
struct CheckpointDir(PathBuf);

/// Sets the checkpoint directory (`--checkpoint-dir`).
pub fn set_checkpoint_dir(interp: &mut Interp, dir: PathBuf) {
    interp.set_extension(CheckpointDir(dir));
}

pub fn checkpoint_dir(interp: &mut Interp) -> PathBuf {
    match interp.extension::<CheckpointDir>() {
        Some(dir) => dir.0.clone(),
        None => PathBuf::from(checkpoints::DEFAULT_DIR),
    }
}
