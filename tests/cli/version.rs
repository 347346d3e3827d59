//! `acgw --version`: what a pasted report is traced back with.

use super::*;

#[test]
fn version_names_the_release_the_commit_and_the_sdk() {
    let dir = tempfile::tempdir().unwrap();
    let run = Acgw::new(dir.path()).args(["--version"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let line = run.stdout.trim_end();
    let lock = std::fs::read_to_string(repo().join("Cargo.lock")).unwrap();
    let sdk = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"aws-sdk-bedrockagentcorecontrol\"\n"))
        .and_then(|p| p.split("version = \"").nth(1))
        .and_then(|v| v.split('"').next())
        .expect("the SDK is locked");
    let prefix = format!("acgw {} (commit ", env!("CARGO_PKG_VERSION"));
    let suffix = format!(", aws-sdk-bedrockagentcorecontrol {sdk})");
    assert!(line.starts_with(&prefix) && line.ends_with(&suffix), "{line}");
    let commit = &line[prefix.len()..line.len() - suffix.len()];
    // A checkout names its commit; a build from a tarball without ACGW_BUILD_COMMIT says unknown.
    let head = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(repo()).output();
    match head {
        Ok(out) if out.status.success() => {
            let head = String::from_utf8_lossy(&out.stdout);
            assert_eq!(commit.len(), 12, "{line}");
            assert!(head.starts_with(commit), "{line} is not HEAD {head}");
        }
        _ => assert!(commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()), "{line}"),
    }
    assert!(run.stderr.is_empty(), "{run:?}");
}
