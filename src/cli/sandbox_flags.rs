//! Flags for model-written code: the limits of its sandbox and the audit log.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::sandbox::{
    Policy, DEFAULT_FUEL, DEFAULT_MAX_DEPTH, DEFAULT_MEMORY_MB, DEFAULT_TIME_SECS,
};
use crate::Interp;

#[derive(Args, Debug, Clone)]
pub struct SandboxFlags {
    /// Append a JSON line for every unwrap (syntax-e), unsafe primitive, model call and Python
    /// call to FILE.
    #[arg(long, value_name = "FILE.jsonl")]
    pub audit: Option<PathBuf>,

    /// Procedure calls model-written code may make (unsafe-exec-sub-output, #:recursive).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_FUEL)]
    pub sub_fuel: u64,

    /// Seconds of wall time model-written code may run, its model calls included.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIME_SECS)]
    pub sub_timeout: u64,

    /// Megabytes of memory model-written code may hold.
    #[arg(long, value_name = "MB", default_value_t = DEFAULT_MEMORY_MB)]
    pub sub_memory: u64,

    /// Let model-written code use py-exec, py-eval, py-call and py-set! (in a namespace of its own).
    #[arg(long)]
    pub sub_python: bool,

    /// How deeply #:recursive calls (and unsafe-exec-sub-output) may nest.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_DEPTH)]
    pub max_depth: u32,
}

impl SandboxFlags {
    pub fn apply(&self, interp: &mut Interp) -> Result<(), String> {
        if let Some(path) = &self.audit {
            crate::audit::open(interp, path)
                .map_err(|e| format!("--audit {}: {e}", path.display()))?;
        }
        let policy = Policy {
            fuel: self.sub_fuel,
            time: Duration::from_secs(self.sub_timeout),
            memory_mb: self.sub_memory,
            python: self.sub_python,
            max_depth: self.max_depth,
        };
        crate::sandbox::set_policy(interp, policy);
        Ok(())
    }
}
