//! Stamps the binary with what a report needs to be traced: the commit it was built from and the
//! AWS SDK version it speaks (`acgw --version`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The SDK crate whose version `--version` names: it decides the API shapes acgw understands.
const SDK: &str = "aws-sdk-bedrockagentcorecontrol";

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=Cargo.lock");
    // A build outside a git checkout (a crate tarball, a Docker context without .git) is told its
    // commit by whoever knows it: the release workflow and the Dockerfile set this.
    println!("cargo:rerun-if-env-changed=ACGW_BUILD_COMMIT");
    let commit = match std::env::var("ACGW_BUILD_COMMIT") {
        Ok(c) if !c.trim().is_empty() => short(c.trim()),
        _ => git_commit(&root).unwrap_or_else(|| "unknown".to_string()),
    };
    let sdk = std::fs::read_to_string(root.join("Cargo.lock"))
        .ok()
        .and_then(|lock| locked_version(&lock, SDK))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=ACGW_VERSION_LINE={} (commit {commit}, {SDK} {sdk})", env("CARGO_PKG_VERSION"));
}

fn env(key: &str) -> String {
    std::env::var(key).unwrap_or_default()
}

/// Twelve hex digits: unambiguous in any repository this size, short enough for a report footer.
fn short(commit: &str) -> String {
    commit.chars().take(12).collect()
}

/// The checked-out commit, and the files that change when it does: HEAD, the branch ref HEAD
/// points to, and packed-refs. Only those, so an ordinary edit never reruns git, and a new commit
/// does (the stamp would be wrong otherwise).
fn git_commit(root: &Path) -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").args(args).current_dir(root).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "HEAD"])?;
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])?];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.extend(git(&["rev-parse", "--git-path", &branch]));
    }
    watched.extend(git(&["rev-parse", "--git-path", "packed-refs"]));
    for path in watched {
        let path = root.join(path);
        // Cargo reruns a build script on every build while a watched file is missing. A branch ref
        // lives in packed-refs until its next commit writes it as a file: watch its directory then.
        if path.is_file() {
            println!("cargo:rerun-if-changed={}", path.display());
        } else if let Some(dir) = path.parent().filter(|d| d.is_dir()) {
            println!("cargo:rerun-if-changed={}", dir.display());
        }
    }
    Some(short(&commit))
}

/// The version Cargo.lock pins for `name` (the first one if several are locked).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let next = lines.next()?.trim();
            return next.strip_prefix("version = \"")?.strip_suffix('"').map(str::to_string);
        }
    }
    None
}
