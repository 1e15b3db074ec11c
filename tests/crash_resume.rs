//! `scripts/crash-resume.sh` with 5 kills per program on smaller inputs (the documented full run
//! makes 20): stream-logs and the checkpointed fan-out, killed with SIGKILL at random moments and
//! restarted, end with their uninterrupted output, and every checkpoint file stays readable.
//! RLMSH_KILL_SEED replays the delays of a failed run (the script prints its seed).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{rlmsh_bin, run_command, MODEL_ENV};

#[test]
fn killed_programs_resume_to_their_uninterrupted_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new("bash");
    cmd.arg(root.join("scripts/crash-resume.sh"))
        .args(["--kills", "5", "--lines", "100000", "--tickets", "200"])
        .env("RLMSH_CMD", rlmsh_bin());
    if let Ok(seed) = std::env::var("RLMSH_KILL_SEED") {
        cmd.args(["--seed", &seed]);
    }
    for name in MODEL_ENV {
        cmd.env_remove(name);
    }
    let run = run_command(&mut cmd, Duration::from_secs(300));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.timed_out, "crash-resume.sh timed out\n{stdout}");
    assert_eq!(run.code, Some(0), "crash-resume.sh failed\nstdout:\n{stdout}\nstderr:\n{stderr}");
    for program in ["stream-logs", "fan-out"] {
        let summary = stdout.lines().find(|l| l.starts_with(&format!("{program}: 5 kills,"))).unwrap_or_else(|| panic!("no summary for {program}:\n{stdout}"));
        assert!(summary.contains("checkpoints readable at all"), "{summary}");
    }
    assert!(stdout.contains("crash-resume: passed"), "{stdout}");
}
