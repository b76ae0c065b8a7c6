//! The test broker driven from outside, as an operator would with
//! `rabbitmqctl`: closing every connection, raising the memory alarm. Both
//! reach every client of the broker, so a test that uses them must not run
//! beside other tests of the broker.

use std::process::Command;

/// Runs `rabbitmqctl ARGS…` and returns what it printed, failing the test
/// with its output when it fails.
pub fn run(args: &[&str]) -> String {
    let output = Command::new("rabbitmqctl")
        .args(args)
        .output()
        .expect("rabbitmqctl runs");
    assert!(
        output.status.success(),
        "rabbitmqctl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// While alive, the broker's memory alarm is raised: it stops reading from
/// every connection that publishes (a publisher stalls before its
/// confirms, and lapin, told `connection.blocked`, writes nothing more on
/// that connection), as a broker under pressure does. Lowered when dropped,
/// even when the test fails.
pub struct MemoryAlarm(());

impl MemoryAlarm {
    pub fn raise() -> MemoryAlarm {
        run(&["set_vm_memory_high_watermark", "absolute", "1"]);
        MemoryAlarm(())
    }
}

impl Drop for MemoryAlarm {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl")
            .args(["set_vm_memory_high_watermark", "0.4"])
            .output();
    }
}
