//! `acgw export -o` against a service whose gateway and target names are hostile (issue 22,
//! items 1, 7 and 8): schema files stay inside the output's folder, never go through a
//! symlink, never replace a file this run did not write without `--force`; an over-long name
//! costs only a warning; placeholders never merge two secrets.

use std::os::unix::fs::PermissionsExt;

use super::*;

/// A target `name` whose OpenAPI schema is long enough for `export -o` to move it to a file.
fn long_schema_target(name: &str) -> String {
    format!(
        "      - name: {name}
        targetConfiguration: {{ mcp: {{ openApiSchema: {{ file: api.yaml }} }} }}
        credentialProviderConfigurations: [{{ credentialProviderType: GATEWAY_IAM_ROLE }}]
"
    )
}

/// A target `name` with an OAuth `customParameters` member `k` holding `secret`.
fn secret_target(name: &str, secret: &str) -> String {
    format!(
        "      - name: {name}
        targetConfiguration: {{ mcp: {{ mcpServer: {{ endpoint: \"https://{name}.example.com/mcp\" }} }} }}
        credentialProviderConfigurations:
          - credentialProviderType: OAUTH
            credentialProvider:
              oauthCredentialProvider:
                providerArn: arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/x
                scopes: [read]
                customParameters: {{ k: {secret} }}
"
    )
}

const LONG_SCHEMA_LINES: usize = 30;

/// Applies `gateways` (spec entries) from `dir`, with `api.yaml` a long OpenAPI schema.
fn apply_in(emu: &Env, dir: &Path, gateways: &[String]) -> String {
    let long: String = (0..LONG_SCHEMA_LINES).map(|i| format!("# line {i}\n")).collect::<String>() + "openapi: 3.0.3\n";
    write(dir, "api.yaml", &long);
    write(dir, "gateways.yaml", &spec(&gateways.concat()));
    let run = Acgw::new(dir).args(["apply", "--auto-approve"]).on(emu).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    long
}

/// Every file under `root`, relative, sorted (symlinks listed, not followed).
fn files_under(root: &Path) -> Vec<String> {
    fn walk(root: &Path, at: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(at).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                walk(root, &entry.path(), out);
            } else {
                out.push(entry.path().strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// Schema files are `schemas/<slug>/<slug>.<ext>`, each slug of `[a-z0-9-]`, at most 64 bytes.
fn assert_safe_schema_path(path: &str) {
    let parts: Vec<&str> = path.split('/').collect();
    assert_eq!(parts.len(), 3, "{path}");
    assert_eq!(parts[0], "schemas", "{path}");
    for part in &parts[1..] {
        assert!(
            (1..=69).contains(&part.len())
                && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
                && !part.starts_with(['-', '.']),
            "{path}"
        );
    }
}

#[test]
fn export_writes_nothing_outside_its_folder_whatever_the_live_names() {
    let emu = Env::new();
    let top = tempfile::tempdir().unwrap();
    let project = top.path().join("project");
    std::fs::create_dir_all(project.join(".github/workflows")).unwrap();
    let workflow = "on: push\njobs: {}\n";
    write(&project, ".github/workflows/ci.yaml", workflow);
    let victim = write(top.path(), "victim.yaml", "precious\n");
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    let setup = tempfile::tempdir().unwrap();
    let long = apply_in(
        &emu,
        setup.path(),
        &[gw_targets("evil", &long_schema_target("ci")), gw_targets("other", &long_schema_target("victim"))],
    );
    let ids = emu.ids();
    let handle = emu.handle();
    assert!(handle.set_raw(&ids["evil"], "/name", serde_json::json!("../.github/workflows")));
    assert!(handle.set_target_raw(&ids["other"], "victim", "/name", serde_json::json!("../../../victim")));

    let run = Acgw::new(&project).args(["export", "-o", "gateways.yaml"]).on(&emu).run();
    assert_eq!(run.code, Some(0), "both gateways are exported: {run:?}");
    assert_eq!(std::fs::read_to_string(project.join(".github/workflows/ci.yaml")).unwrap(), workflow);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert_eq!(std::fs::metadata(&victim).unwrap().permissions().mode() & 0o777, 0o644);
    assert_eq!(files_under(top.path()).len(), files_under(&project).len() + 1, "only victim.yaml outside");
    let written: Vec<String> = files_under(&project).into_iter().filter(|f| f.starts_with("schemas/")).collect();
    assert_eq!(written.len(), 2, "{written:?}");
    let exported = std::fs::read_to_string(project.join("gateways.yaml")).unwrap();
    for file in &written {
        assert_safe_schema_path(file);
        assert_eq!(std::fs::read_to_string(project.join(file)).unwrap(), long);
        assert!(exported.contains(&format!("file: {file}")), "{exported}");
    }
    assert!(
        run.stderr.contains("gateway ../.github/workflows: target ci: the names are not safe file names")
            && run.stderr.contains("gateway other: target ../../../victim: the names are not safe file names"),
        "{run:?}"
    );
    assert!(run.stderr.contains("targets[0].name: the live value is copied as it is"), "{run:?}");
}

#[test]
fn export_never_follows_a_symlink_in_its_folder_even_with_force() {
    let emu = Env::new();
    let elsewhere = tempfile::tempdir().unwrap();
    apply_in(&emu, emu.dir(), &[gw_targets("tools", &long_schema_target("api")), gw("plain", "")]);
    std::os::unix::fs::symlink(elsewhere.path(), emu.dir().join("schemas")).unwrap();
    for force in [false, true] {
        let mut args = vec!["export", "-o", "out.yaml"];
        if force {
            args.push("--force");
        }
        let run = emu.acgw().args(&args).run();
        assert_eq!(run.code, Some(1), "--force {force}: {run:?}");
        assert!(
            run.stderr.contains("gateway tools (")
                && run.stderr.contains("schemas/tools/api.yaml: refused:")
                && run.stderr.contains("is a symbolic link, and export never follows or replaces one"),
            "{run:?}"
        );
        assert!(run.stderr.contains("1 of 2 gateway(s) could not be exported"), "{run:?}");
        let exported = std::fs::read_to_string(emu.dir().join("out.yaml")).unwrap();
        assert!(exported.contains("name: plain") && !exported.contains("name: tools"), "{exported}");
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0, "nothing written through the link");
    }
    // A symlink as the schema file itself is refused too, not replaced.
    std::fs::remove_file(emu.dir().join("schemas")).unwrap();
    std::fs::create_dir_all(emu.dir().join("schemas/tools")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("x"), emu.dir().join("schemas/tools/api.yaml")).unwrap();
    let run = emu.acgw().args(["export", "-o", "out.yaml", "--force"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("is a symbolic link"), "{run:?}");
    assert!(std::fs::symlink_metadata(emu.dir().join("schemas/tools/api.yaml")).unwrap().is_symlink());
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn export_replaces_a_file_it_did_not_write_only_with_force() {
    let emu = Env::new();
    let long = apply_in(&emu, emu.dir(), &[gw_targets("tools", &long_schema_target("api"))]);
    let run = emu.acgw().args(["export", "-o", "export/gateways.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let schema = emu.dir().join("export/schemas/tools/api.yaml");
    assert_eq!(std::fs::read_to_string(&schema).unwrap(), long);

    std::fs::write(&schema, "edited by hand\n").unwrap();
    let run = emu.acgw().args(["export", "-o", "export/gateways.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "gateway tools ({}) was not exported: its schema file was not written: {}: refused: the file exists and this export did not create it; pass --force to replace it",
            emu.ids()["tools"],
            Path::new("export").join("schemas/tools/api.yaml").display()
        )),
        "{run:?}"
    );
    assert_eq!(std::fs::read_to_string(&schema).unwrap(), "edited by hand\n", "left alone");

    let run = emu.acgw().args(["export", "-o", "export/gateways.yaml", "--force"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(std::fs::read_to_string(&schema).unwrap(), long, "replaced with --force");
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "-f", "export/gateways.yaml"]).run();
    assert_eq!(run.code, Some(0), "export then plan is clean: {run:?}");

    let run = emu.acgw().args(["export", "--force"]).run();
    assert_eq!(run.code, Some(64), "--force without -o is a usage error: {run:?}");
}

#[test]
fn a_1000_character_name_gets_a_safe_file_and_a_warning_and_the_others_still_export() {
    let emu = Env::new();
    let long = apply_in(
        &emu,
        emu.dir(),
        &[
            gw_targets("huge", &long_schema_target("api")),
            gw_targets("healthy", &long_schema_target("api")),
            gw_targets("mixed", &[long_schema_target("api"), long_schema_target("big")].concat()),
        ],
    );
    let ids = emu.ids();
    let huge = "G".repeat(1000);
    assert!(emu.handle().set_raw(&ids["huge"], "/name", serde_json::json!(huge)));
    assert!(emu.handle().set_target_raw(&ids["mixed"], "big", "/name", serde_json::json!("t".repeat(1000))));

    let out = emu.dir().join("out");
    let run = emu.acgw().args(["export", "-o", "out/gateways.yaml"]).run();
    assert_eq!(run.code, Some(0), "a name the spec cannot hold is a warning, not a failure: {run:?}");
    assert!(
        run.stderr
            .contains(&format!("gateway {}… (1000 characters): target api: the names are not safe", "G".repeat(40))),
        "{run:?}"
    );
    assert!(run.stderr.contains(&format!("gateway mixed: target {}… (1000 characters)", "t".repeat(40))), "{run:?}");
    let written = files_under(&out);
    assert_eq!(written.len(), 5, "{written:?}");
    assert!(written.contains(&"schemas/healthy/api.yaml".to_string()), "{written:?}");
    assert!(written.contains(&"schemas/mixed/api.yaml".to_string()), "{written:?}");
    for file in written.iter().filter(|f| f.starts_with("schemas/")) {
        assert_safe_schema_path(file);
        assert_eq!(std::fs::read_to_string(out.join(file)).unwrap(), long);
    }
    let exported = std::fs::read_to_string(out.join("gateways.yaml")).unwrap();
    assert!(exported.contains(&huge) && exported.contains("name: healthy"), "{exported}");
}

#[test]
fn placeholders_of_gateway_a_b_target_c_and_gateway_a_target_b_c_differ() {
    let emu = Env::new();
    apply_in(
        &emu,
        emu.dir(),
        &[
            gw_targets("a-b", &secret_target("c", "first-secret")),
            gw_targets("a", &secret_target("b-c", "second-secret")),
        ],
    );
    let run = emu.acgw().args(["export", "-o", "export.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let exported = std::fs::read_to_string(emu.dir().join("export.yaml")).unwrap();
    assert!(!exported.contains("first-secret") && !exported.contains("second-secret"), "{exported}");
    assert!(
        exported.contains("${ACGW_A_B__C__K}") && exported.contains("${ACGW_A__B_C__K}"),
        "one placeholder each: {exported}"
    );
    let run = emu
        .acgw()
        .args(["plan", "--detailed-exitcode", "-f", "export.yaml"])
        .env("ACGW_A_B__C__K", "first-secret")
        .env("ACGW_A__B_C__K", "second-secret")
        .run();
    assert_eq!(run.code, Some(0), "each secret comes back to its own target: {run:?}");
}
