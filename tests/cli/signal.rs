//! Overlapping `--local` runs take turns on the state file's lock, and SIGINT/SIGTERM stop an
//! apply with a report of what took effect (exit 130).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};

use super::*;

/// Starts `acgw` with both streams piped, so that a test can watch stderr while it runs.
fn spawn(acgw: Acgw) -> Child {
    let mut cmd = acgw.into_command();
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.spawn().expect("the binary starts")
}

/// Reads stderr lines until one contains `needle`; returns everything read. Panics (with what
/// was read) if the process closes stderr first.
fn read_until(stderr: &mut BufReader<std::process::ChildStderr>, needle: &str) -> String {
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let n = stderr.read_line(&mut line).expect("read stderr");
        seen.push_str(&line);
        if line.contains(needle) {
            return seen;
        }
        assert!(n > 0, "stderr ended without {needle:?}:\n{seen}");
    }
}

/// Waits for the child and returns its exit code, stdout and the rest of its stderr.
fn finish(mut child: Child, mut stderr: BufReader<std::process::ChildStderr>) -> (Option<i32>, String, String) {
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).expect("read stderr");
    let mut stdout = String::new();
    child.stdout.take().expect("piped").read_to_string(&mut stdout).expect("read stdout");
    let status = child.wait().expect("wait");
    (status.code(), stdout, rest)
}

fn stderr_of(child: &mut Child) -> BufReader<std::process::ChildStderr> {
    BufReader::new(child.stderr.take().expect("piped"))
}

/// The lock `--local` takes, held by the test as another acgw run would hold it.
fn hold_local_lock(dir: &Path) -> std::fs::File {
    std::fs::create_dir_all(dir.join(".acgw")).unwrap();
    let lock = std::fs::File::create(dir.join(".acgw/local-state.json.lock")).unwrap();
    lock.lock().expect("the test takes the lock");
    lock
}

#[test]
fn overlapping_local_applies_take_turns_and_keep_both_runs_changes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &spec(&gw("alpha", "")));
    write(dir.path(), "b.yaml", &spec(&gw("beta", "")));
    let lock = hold_local_lock(dir.path());
    let apply = |file: &str| spawn(Acgw::new(dir.path()).args(["apply", "--local", "--auto-approve", "-f", file]));
    let mut a = apply("a.yaml");
    let mut b = apply("b.yaml");
    let (mut a_err, mut b_err) = (stderr_of(&mut a), stderr_of(&mut b));
    let waiting = "waiting for the lock on .acgw/local-state.json held by another acgw run";
    read_until(&mut a_err, waiting);
    read_until(&mut b_err, waiting);
    // Both are waiting, so both will have started before either changed anything: without the
    // lock they would each load an empty state and the last to write would drop the other's.
    assert!(!dir.path().join(".acgw/local-state.json").exists(), "nothing is written while waiting");
    drop(lock);
    let (a_code, a_out, a_rest) = finish(a, a_err);
    let (b_code, b_out, b_rest) = finish(b, b_err);
    assert_eq!(a_code, Some(0), "{a_out}\n{a_rest}");
    assert_eq!(b_code, Some(0), "{b_out}\n{b_rest}");
    assert!(a_out.contains("Apply complete: 1 gateway changed"), "{a_out}");
    assert!(b_out.contains("Apply complete: 1 gateway changed"), "{b_out}");

    let run =
        Acgw::new(dir.path()).args(["plan", "--local", "--detailed-exitcode", "-f", "a.yaml", "-f", "b.yaml"]).run();
    assert_eq!(run.code, Some(0), "both runs' gateways are in the state: {run:?}");
    let state = std::fs::read_to_string(dir.path().join(".acgw/local-state.json")).unwrap();
    assert!(state.contains("\"alpha\"") && state.contains("\"beta\""), "{state}");
}

#[test]
fn a_local_run_that_cannot_get_the_lock_in_time_changes_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &spec(&gw("alpha", "")));
    let _lock = hold_local_lock(dir.path());
    let run = Acgw::new(dir.path())
        .args(["apply", "--local", "--auto-approve", "-f", "a.yaml", "--lock-timeout", "300ms"])
        .run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(
            "error: another acgw run has held the lock on .acgw/local-state.json for 0.3s, so this run did nothing"
        ),
        "{run:?}"
    );
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(!dir.path().join(".acgw/local-state.json").exists(), "no state was written");
    // 0 refuses at once, without the waiting message.
    let run = Acgw::new(dir.path()).args(["plan", "--local", "-f", "a.yaml"]).env("ACGW_LOCK_TIMEOUT", "0").run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("has held the lock") && !run.stderr.contains("waiting"), "{run:?}");
}

/// Three gateways applied one at a time, each staying CREATING for `create_delay`.
fn slow_emulator_and_specs(create_delay: Duration) -> Env {
    let emu = Env::builder().create_delay(create_delay).start();
    emu.write("g.yaml", &spec(&[gw("one", ""), gw("two", ""), gw("three", "")].concat()));
    emu
}

fn count(emu: &Env, operation: &str) -> u64 {
    emu.stats().get(operation).copied().unwrap_or(0)
}

/// Polls the emulator until `operation` has been called more than `before` times (bounded: a
/// run that never gets there fails the test instead of hanging it).
fn wait_for_call(emu: &Env, operation: &str, before: u64) {
    for _ in 0..6000 {
        if count(emu, operation) > before {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the emulator never saw {operation} after {before} calls: {:?}", emu.stats());
}

fn signal(child: &Child, signal: i32) {
    let pid = i32::try_from(child.id()).expect("a pid");
    // SAFETY: `pid` is our own child, not yet waited for, so it cannot have been reused.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill");
}

#[test]
fn sigint_during_apply_stops_sending_reports_what_took_effect_and_exits_130() {
    // Long enough that the first gateway is still CREATING when the signal comes, however slow
    // the machine: its wait is what the signal cuts short.
    let emu = slow_emulator_and_specs(Duration::from_secs(5));
    let apply = || Acgw::new(emu.dir()).args(["apply", "--auto-approve", "-f", "g.yaml"]);
    let mut child = spawn(apply().args(["--parallelism", "1"]).on(&emu));
    let mut stderr = stderr_of(&mut child);
    wait_for_call(&emu, "CreateGateway", 0);
    signal(&child, libc::SIGINT);
    let said = read_until(&mut stderr, "SIGINT received");
    assert!(said.contains("sending no new calls; waiting up to 30s for the calls in flight"), "{said}");
    let (code, stdout, rest) = finish(child, stderr);
    assert_eq!(code, Some(130), "{stdout}\n{said}{rest}");
    // The first gateway was created (its wait for READY was cut short); the others never started.
    let created: Vec<String> = emu.names();
    assert_eq!(created.len(), 1, "one create was sent: {created:?}");
    assert_eq!(count(&emu, "CreateGateway"), 1, "no create after the signal");
    let first = &created[0];
    let line = |name: &str| {
        let report_line = |l: &&str| l.starts_with('✗') && l.contains(&format!(" {name} "));
        stdout.lines().find(report_line).unwrap_or_default().to_string()
    };
    assert!(line(first).contains("partly done, interrupted"), "{stdout}");
    assert!(stdout.contains("done: CreateGateway"), "{stdout}");
    for other in ["one", "two", "three"].into_iter().filter(|n| n != first) {
        assert!(line(other).contains("interrupted"), "{other}: {stdout}");
    }
    assert!(stdout.contains("error: interrupted before its first call: nothing was sent for it"), "{stdout}");
    assert!(stdout.contains("Apply interrupted: 0 succeeded, 3 not finished (one, three, two)"), "{stdout}");

    // Re-running converges: the created gateway is not created twice.
    let run = apply().on(&emu).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(emu.names(), ["one", "three", "two"]);
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "-f", "g.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn sigint_during_destroy_reports_what_was_deleted_and_a_second_destroy_finishes() {
    let emu = Env::builder().delete_delay(Duration::from_secs(5)).start();
    emu.write("gateways.yaml", &owned_spec("preview/pr-7", &["pr7-a", "pr7-b", "pr7-c"]));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let mut child = spawn(emu.acgw().args(["destroy", "--auto-approve", "--parallelism", "1"]));
    let mut stderr = stderr_of(&mut child);
    wait_for_call(&emu, "DeleteGateway", 0);
    signal(&child, libc::SIGINT);
    read_until(&mut stderr, "SIGINT received");
    let (code, stdout, rest) = finish(child, stderr);
    assert_eq!(code, Some(130), "{stdout}\n{rest}");
    assert_eq!(count(&emu, "DeleteGateway"), 1, "no delete after the signal");
    assert!(stdout.contains("partly done, interrupted") && stdout.contains("done: DeleteGateway"), "{stdout}");
    assert!(stdout.contains("Apply interrupted: 0 succeeded, 3 not finished"), "{stdout}");

    let run = emu.acgw().args(["destroy", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(emu.names().is_empty(), "{:?}", emu.names());
}

#[test]
fn sigterm_is_handled_like_sigint_and_a_second_signal_exits_at_once_without_a_report() {
    let emu = slow_emulator_and_specs(Duration::from_secs(60));
    let mut child = spawn(emu.acgw().args(["apply", "--auto-approve", "--parallelism", "1", "-f", "g.yaml"]));
    let mut stderr = stderr_of(&mut child);
    wait_for_call(&emu, "CreateGateway", 0);
    // The gateway stays CREATING, so apply polls it: make the next poll hang for a minute, and
    // wait until one is surely in flight (one counted after the change saw it).
    emu.set_faults(Faults { latency: Duration::from_secs(60), ..Faults::default() });
    let gets = count(&emu, "GetGateway");
    wait_for_call(&emu, "GetGateway", gets);
    signal(&child, libc::SIGTERM);
    let said = read_until(&mut stderr, "SIGTERM received");
    assert!(said.contains("send it again to exit at once"), "{said}");
    signal(&child, libc::SIGINT);
    let (code, stdout, rest) = finish(child, stderr);
    assert_eq!(code, Some(130), "{stdout}\n{said}{rest}");
    assert!(rest.contains("SIGINT received again: exiting at once without a report"), "{rest}");
    assert!(!stdout.contains("Apply "), "no report after the second signal: {stdout}");
    emu.set_faults(Faults::default());
}
