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

/// Fills (or refills) one named slot.
pub fn set_context_slot(interp: &mut Interp, name: &str, value: Value) {
    match interp.extension::<ContextSlots>() {
        Some(slots) => {
            slots.0.insert(name.to_string(), value);
        }
        None => set_context_slots(interp, HashMap::from([(name.to_string(), value)])),
    }
}

/// The named slots and their values, by name.
pub fn context_slots(interp: &mut Interp) -> Vec<(String, Value)> {
    let mut slots: Vec<(String, Value)> =
        interp.extension::<ContextSlots>().map(|s| s.0.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
    slots.sort_by(|a, b| a.0.cmp(&b.0));
    slots
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
