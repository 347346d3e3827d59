//! Machine contracts: one document per `--format json` run, checked-in schemas that match the
//! binary, exports every YAML parser reads the same, GitHub workflow commands that cannot be
//! broken out of. `Acgw::run()` itself validates every JSON output and export of the suite
//! (tests/support/mod.rs); these tests reach every command and outcome.

use super::*;

fn json_of(run: &support::Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not one JSON document ({e}): {run:?}"))
}

/// Text and Markdown keep progress, prompts and warnings off stdout: no line of stderr shows
/// up on stdout.
fn no_stray_output(run: &support::Run) {
    for line in run.stderr.lines().map(str::trim).filter(|l| l.len() > 3) {
        assert!(!run.stdout.contains(line), "stderr's `{line}` is also on stdout: {run:?}");
    }
}

#[test]
fn every_command_prints_one_json_document_for_every_outcome() {
    let emu = Env::new();
    // `hastargets` needs replacing (authorizerType changed) but has a target: replacing it fails.
    let taken = emu.create(serde_json::json!({"name": "hastargets", "roleArn": ROLE, "authorizerType": "NONE"}), &[]);
    emu.add_target(&taken, "t1");
    emu.write("gateways.yaml", &spec(&[gw("hastargets", ""), gw("newone", "")].concat()));
    emu.write("bad.yaml", BAD);
    emu.write("newone.yaml", &spec(&gw("newone", "")));
    let acgw = || Acgw::new(emu.dir());

    // validate: valid and invalid, in every format.
    for format in ["text", "json", "github"] {
        for (file, code) in [("gateways.yaml", 0), ("bad.yaml", 1)] {
            let run = acgw().args(["validate", "-f", file, "--format", format]).run();
            assert_eq!(run.code, Some(code), "{run:?}");
            if format == "json" {
                assert_eq!(json_of(&run)["valid"], code == 0);
            } else {
                no_stray_output(&run);
            }
        }
    }

    // plan and drift, in every format: changes, then a refused (invalid) spec.
    for command in ["plan", "drift"] {
        for format in ["text", "json", "markdown"] {
            let run = acgw().args([command, "--format", format]).on(&emu).run();
            assert_eq!(run.code, Some(if command == "drift" { 2 } else { 0 }), "{run:?}");
            if format == "json" {
                assert_eq!(json_of(&run)["gateways"][0]["name"], "hastargets");
            } else {
                no_stray_output(&run);
            }
        }
    }

    // plan and drift that fail before they have a plan: invalid specs, --prune without an owner.
    for args in [&["plan", "-f", "bad.yaml"][..], &["drift", "-f", "bad.yaml"], &["plan", "--prune"]] {
        let run = acgw().args(args).args(["--format", "json"]).on(&emu).run();
        assert_eq!(run.code, Some(1), "{run:?}");
        assert!(json_of(&run)["error"].is_string(), "{run:?}");
    }

    // apply, refused: no terminal and no --auto-approve; a replacement without --allow-replace;
    // invalid specs. Each prints a report that says why and applies nothing.
    let run = acgw().args(["apply", "--format", "json"]).on(&emu).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(json_of(&run)["refused"].as_str().unwrap().contains("--auto-approve"), "{run:?}");
    let run = acgw().args(["apply", "--auto-approve", "--format", "json"]).on(&emu).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    let doc = json_of(&run);
    assert!(doc["refused"].as_str().unwrap().contains("--allow-replace"), "{run:?}");
    assert_eq!(doc["gateways"][0]["name"], "hastargets");
    assert_eq!(doc["gateways"][0]["result"], "not-applied");
    assert!(run.stderr.contains("will perform the following actions"), "the plan goes to stderr: {run:?}");
    let run = acgw().args(["apply", "--auto-approve", "-f", "bad.yaml", "--format", "json"]).on(&emu).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(json_of(&run)["succeeded"], false);
    assert_eq!(emu.names(), ["hastargets"], "nothing was applied");

    // apply, partial failure, in both formats (the text run is a no-op for newone by then).
    let run = acgw().args(["apply", "--auto-approve", "--allow-replace", "--format", "json"]).on(&emu).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    let doc = json_of(&run);
    assert_eq!(doc["summary"], serde_json::json!({"succeeded": 1, "failed": 1}), "{run:?}");
    let run = acgw().args(["apply", "--auto-approve", "--allow-replace"]).on(&emu).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    no_stray_output(&run);

    // apply, nothing to do: an empty report, with and without a saved plan.
    let run = acgw().args(["apply", "--auto-approve", "-f", "newone.yaml", "--format", "json"]).on(&emu).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(json_of(&run)["gateways"], serde_json::json!([]));
    let run = acgw().args(["plan", "-f", "newone.yaml", "--out", "plan.json"]).on(&emu).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = acgw().args(["apply", "plan.json", "--format", "json"]).on(&emu).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(json_of(&run)["succeeded"], true);
    // A saved plan made against another endpoint is refused, with a report.
    let run = acgw().args(["apply", "plan.json", "--format", "json", "--region", "eu-west-1"]).on(&emu).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(json_of(&run)["refused"].as_str().unwrap().contains("region"), "{run:?}");

    // sync: nothing to synchronize, and an unknown gateway.
    let run = acgw().args(["sync", "-f", "newone.yaml", "--format", "json"]).on(&emu).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(json_of(&run)["succeeded"], true);
    let run = acgw().args(["sync", "-f", "newone.yaml", "--gateway", "nope", "--format", "json"]).on(&emu).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(json_of(&run)["errors"][0].as_str().unwrap().contains("nope"), "{run:?}");
    let run = acgw().args(["sync", "-f", "newone.yaml"]).on(&emu).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    no_stray_output(&run);

    // destroy: refused without --auto-approve; refused per gateway (not owned); done; gone.
    let run = acgw().args(["destroy", "-f", "newone.yaml", "--format", "json"]).on(&emu).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(json_of(&run)["refused"].as_str().unwrap().contains("--auto-approve"), "{run:?}");
    let run = acgw().args(["destroy", "-f", "newone.yaml", "--auto-approve", "--format", "json"]).on(&emu).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(json_of(&run)["gateways"][0]["result"], "not-applied", "{run:?}");
    let run = acgw()
        .args(["destroy", "-f", "newone.yaml", "--auto-approve", "--take-ownership", "--format", "json"])
        .on(&emu)
        .run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(json_of(&run)["gateways"][0]["action"], "delete", "{run:?}");
    assert!(run.stderr.contains("will be deleted"), "the plan goes to stderr: {run:?}");
    let run = acgw().args(["destroy", "-f", "newone.yaml", "--auto-approve"]).on(&emu).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("already gone"), "{run:?}");
    no_stray_output(&run);
}

/// The regeneration command the staleness test prints.
const REGENERATE: &str = "for o in plan drift apply destroy validate sync; do cargo run -q -- schema --output $o > docs/schemas/$o.json; done";

#[test]
fn the_checked_in_output_schemas_are_current_valid_and_closed() {
    let dir = tempfile::tempdir().unwrap();
    for document in ["plan", "drift", "apply", "destroy", "validate", "sync"] {
        let run = Acgw::new(dir.path()).args(["schema", "--output", document]).run();
        assert_eq!(run.code, Some(0), "{run:?}");
        let printed: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        let path = repo().join("docs/schemas").join(format!("{document}.json"));
        let checked_in: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default()).unwrap_or_default();
        assert!(
            printed == checked_in,
            "{} is stale (acgw's output types changed); regenerate the schemas with:\n  {REGENERATE}",
            path.display()
        );
        assert_eq!(printed["$schema"], "https://json-schema.org/draft/2020-12/schema");
        if let Err(e) = jsonschema::draft202012::meta::validate(&printed) {
            panic!("{document}: not a valid draft 2020-12 schema: {e}");
        }
        let mut open = Vec::new();
        open_objects(&printed, String::new(), &mut open);
        assert!(open.is_empty(), "{document}: objects that allow unknown members: {open:?}");
    }
}

/// Schemas of objects with `properties` but no `additionalProperties`, as JSON pointers.
fn open_objects(schema: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match schema {
        serde_json::Value::Object(map) => {
            if map.contains_key("properties")
                && !map.contains_key("additionalProperties")
                && map.get("type") == Some(&serde_json::json!("object"))
            {
                out.push(at.clone());
            }
            for (k, v) in map {
                open_objects(v, format!("{at}/{k}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                open_objects(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn a_field_the_schema_does_not_name_fails_validation() {
    // The check every run of the suite goes through must catch an undeclared field.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "g.yaml", &spec(&gw("a", "")));
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml", "--format", "json"]).run();
    let mut doc = json_of(&run);
    support::check_schema("validate", &doc, "validate");
    doc["surprise"] = serde_json::json!(1);
    let caught = std::panic::catch_unwind(|| support::check_schema("validate", &doc, "validate with a new field"));
    assert!(caught.is_err(), "an undeclared top-level field passed the schema");
}

#[test]
fn exported_strings_that_yaml_1_1_would_retype_read_back_the_same_everywhere() {
    let emu = Env::new();
    // Every trap in a place export writes as a string: the description and tag values and keys.
    let traps = ["2012-10-17", "yes", "off", "0755", "1e3", "~", ".inf", "=", "<<", "1:20", "null", "Y"];
    for (i, trap) in traps.into_iter().enumerate() {
        // Tag values allow only some characters; the others are covered by the description.
        let taggable = trap.chars().all(|c| c.is_ascii_alphanumeric() || "._:/=+@-".contains(c));
        let tags: Vec<(&str, &str)> = if taggable { vec![("trap", trap)] } else { Vec::new() };
        emu.create(
            serde_json::json!({"name": format!("trap{i}"), "description": trap, "roleArn": ROLE, "authorizerType": "NONE"}),
            &tags,
        );
    }
    let run = emu.acgw().args(["export", "-o", "export.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let yaml = std::fs::read_to_string(emu.dir().join("export.yaml")).unwrap();
    assert!(yaml.contains("description: \"2012-10-17\""), "{yaml}");
    // Acgw::run() has read it back through PyYAML; check explicitly too, and that acgw plans
    // it without changes.
    support::check_yaml_reads_the_same(&yaml);
    let run = emu.acgw().args(["plan", "-f", "export.yaml", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "the export plans clean: {run:?}");
}

#[test]
fn github_annotations_escape_hostile_file_names_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    // A file name with every character a workflow command treats specially.
    let name = "a,b:c%d\re\nf.yaml";
    write(dir.path(), name, "gateways:\n  - name: x\n    roleArn: \"1%,: x\"\n    authorizerType: NONE\n");
    let run = Acgw::new(dir.path()).args(["validate", "-f", name, "--format", "github"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(!lines.is_empty(), "{run:?}");
    for line in &lines {
        assert!(line.starts_with("::error file=a%2Cb%3Ac%25d%0De%0Af.yaml,"), "{line}");
        let (props, message) = line[2..].split_once("::").expect("one separator after the properties");
        assert!(!message.contains('\r') && !props.contains('\r'), "{line}");
        // The message's own `%` is escaped; `:` and `,` may stay in a message.
        assert!(!message.replace("%25", "").replace("%0A", "").replace("%0D", "").contains('%'), "{line}");
    }
}

#[test]
fn a_plan_of_an_older_format_applies_and_one_from_a_newer_acgw_is_refused_before_any_call() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("solo", "")));
    let run = emu.acgw().args(["plan", "--out", "plan.json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(emu.dir().join("plan.json")).unwrap()).unwrap();
    let save = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut p = plan.clone();
        edit(&mut p);
        emu.write(name, &serde_json::to_string_pretty(&p).unwrap());
    };
    // Newer: a version this acgw does not know, or a member it does not know in its own version.
    save("v5.json", &|p| p["format_version"] = serde_json::json!("5"));
    save("unknown.json", &|p| p["gateways"][0]["waitFor"] = serde_json::json!("READY"));
    // Older: version 2 had none of the members versions 3 and 4 added, and this plan uses none
    // of them.
    save("v2.json", &|p| p["format_version"] = serde_json::json!("2"));
    for file in ["v5.json", "unknown.json"] {
        let calls = emu.calls();
        let run = emu.acgw().args(["apply", file, "--format", "json"]).run();
        assert_eq!(run.code, Some(1), "{run:?}");
        assert!(run.stderr.contains("apply it with the acgw version that made it"), "{run:?}");
        assert!(json_of(&run)["refused"].as_str().unwrap().contains("newer acgw"), "{run:?}");
        assert_eq!(emu.calls(), calls, "refused before any API call");
    }
    assert!(emu.names().is_empty());
    let run = emu.acgw().args(["apply", "v2.json", "--format", "json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(json_of(&run)["gateways"][0]["result"], "succeeded");
    assert_eq!(emu.names(), ["solo"]);
}

#[test]
fn pyyaml_reads_every_yaml_1_1_trap_as_the_string_export_meant() {
    let mut traps: Vec<String> = [
        "2012-10-17",
        "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10 -5",
        "2002-12-14",
        "yes",
        "Yes",
        "YES",
        "no",
        "on",
        "On",
        "OFF",
        "y",
        "Y",
        "n",
        "N",
        "true",
        "False",
        "0755",
        "0o755",
        "0x1F",
        "0b1010",
        "1_000",
        "1e3",
        "6.8523015e+5",
        "685.230_15e+03",
        "-1",
        "+12",
        ".5",
        "1.",
        ".inf",
        "-.Inf",
        "+.INF",
        ".nan",
        ".NaN",
        "~",
        "null",
        "NULL",
        "",
        "=",
        "<<",
        "1:20",
        "190:20:30.15",
        "-1:30",
        "- a",
        "a: b",
        "a #b",
        "#c",
        "&a",
        "*a",
        "!tag",
        "|",
        ">",
        "%x",
        "@x",
        "`x",
        "{a}",
        "[a]",
        "a,b",
        "'q'",
        "\"q\"",
        " lead",
        "trail ",
        "?",
        "? x",
        ":",
        "a:",
        "line\nbreak",
        "two\n\nblank\n\n",
        "tab\tin",
        "\ttab first",
        "cr\r\nlf",
        "nel\u{85}x",
        "ls\u{2028}x",
        "bom\u{feff}x",
        "del\u{7f}",
        "ctl\u{1}",
        "\\back",
        "ünï",
        "日本",
        "emoji 🎉",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    traps.push("x".repeat(300));
    let value = serde_json::json!({
        "gateways": traps.iter().map(|t| serde_json::json!({ "name": t, "tags": { t.clone(): t } })).collect::<Vec<_>>(),
        "list": traps,
    });
    let yaml = acgw::yaml_out::to_string(&value);
    support::check_yaml_reads_the_same(&yaml);
    let back: serde_json::Value = serde_yaml::from_str(&yaml).expect("acgw's reading");
    assert_eq!(back, value, "{yaml}");
}

#[test]
fn sync_reports_each_target_and_each_refusal_in_one_json_document() {
    let emu = Env::new();
    let with_schema = "      - name: fixed
        targetConfiguration:
          mcp:
            mcpServer: { endpoint: \"https://fixed.example.com/mcp\", mcpToolSchema: { inlinePayload: \"{}\" } }
";
    let targets = format!("{}{with_schema}", mcp_target("docs", 5));
    emu.write("gateways.yaml", &spec(&gw_targets("tools", &targets)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["sync", "--format", "json"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let doc = json_of(&run);
    assert_eq!(doc["targets"][0]["target"], "docs", "{run:?}");
    assert_eq!(doc["targets"][0]["result"], "synchronized", "{run:?}");
    assert!(doc["targets"][0]["last_synchronized_at"].as_str().is_some_and(|t| t.starts_with("20")), "{run:?}");
    assert!(run.stderr.contains("✓ tools/docs"), "the human line goes to stderr: {run:?}");
    let run = emu.acgw().args(["sync", "--target", "fixed", "--target", "gone", "--format", "json"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    let doc = json_of(&run);
    assert_eq!(doc["succeeded"], false);
    assert_eq!(doc["summary"]["failed"], 2, "{run:?}");
    assert!(doc["errors"][0].as_str().unwrap().contains("target fixed cannot be synchronized"), "{run:?}");
}
