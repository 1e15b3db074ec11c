//! The scaffold that makes a script an orchestration program: `finish` (end with a result from
//! any depth) and checkpoints (survive crashes and reruns).

pub mod checkpoints;
mod primitives;

use std::path::PathBuf;

use crate::interp::Interp;

pub use primitives::PRIMITIVES;

/// Where an instance keeps its checkpoints.
struct CheckpointDir(PathBuf);

/// Sets the checkpoint directory (`--checkpoint-dir`).
pub fn set_checkpoint_dir(interp: &mut Interp, dir: PathBuf) {
    interp.set_extension(CheckpointDir(dir));
}

fn checkpoint_dir(interp: &mut Interp) -> PathBuf {
    match interp.extension::<CheckpointDir>() {
        Some(dir) => dir.0.clone(),
        None => PathBuf::from(checkpoints::DEFAULT_DIR),
    }
}
