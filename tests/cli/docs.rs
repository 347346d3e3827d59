//! The documentation as a reader meets it: every relative link and `#anchor` in README.md,
//! CONTRIBUTING.md and docs/**/*.md leads somewhere, and every YAML example that is a spec passes
//! `acgw validate` (the real binary).
//!
//! An example that is not a whole spec says so with an HTML comment on the line right before its
//! fence, so that an example cannot rot silently (CONTRIBUTING.md lists them):
//! `<!-- not-a-spec: why -->` skips it, `<!-- gateway-fragment -->` validates it inside a minimal
//! gateway, `<!-- invalid: why -->` asserts that validate fails on it, and
//! `<!-- env: NAME=value ... -->` sets variables for validate.

use super::*;

/// A gateway to put a `<!-- gateway-fragment -->` example in: the fewest members a valid one has.
const FRAGMENT_GATEWAY: &str = "gateways:
  - name: docs-example
    roleArn: arn:aws:iam::123456789012:role/docs-example
    authorizerType: AWS_IAM
";

/// One ```yaml block of a Markdown file.
#[derive(Debug)]
struct YamlExample {
    /// Line of the opening fence (1-based).
    line: usize,
    /// The markers (`key`, `value`) from the HTML comments right before the fence.
    markers: Vec<(String, String)>,
    text: String,
}

/// What one Markdown file offers and asks of others.
#[derive(Debug, Default)]
struct Page {
    /// Anchors it defines: heading slugs (GitHub's) and explicit `id`/`name` attributes.
    anchors: Vec<String>,
    /// Link targets, with their line, outside code.
    links: Vec<(usize, String)>,
    yaml: Vec<YamlExample>,
}

/// GitHub's heading anchor: the heading's text as rendered (no code ticks, emphasis stars or link
/// targets), lower-cased, with everything but letters, digits, `-`, `_` and spaces dropped, and
/// each space turned into `-`.
fn slug(heading: &str) -> String {
    let rendered = strip_link_targets(heading);
    rendered
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// `[text](target)` becomes `text`: a heading's anchor is made from what it shows.
fn strip_link_targets(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        let Some(close) = rest[at..].find(')') else { break };
        out.push_str(&rest[..at]);
        rest = &rest[at + close + 1..];
    }
    out.push_str(rest);
    out.replace('[', "")
}

/// The text with code spans (`` `…` ``, of any number of ticks) blanked out, newlines kept, so
/// that offsets and line numbers still match the source.
fn blank_code_spans(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&c| c == '`').count();
        // The span closes at the next run of exactly as many ticks.
        let mut j = i + run;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let other = chars[j..].iter().take_while(|&&c| c == '`').count();
                if other == run {
                    close = Some(j);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                for c in &mut out[i..end + run] {
                    if *c != '\n' {
                        *c = ' ';
                    }
                }
                i = end + run;
            }
            None => i += run,
        }
    }
    out.into_iter().collect()
}

/// The opening fence of a code block: its fence characters and info string.
fn fence_open(line: &str) -> Option<(String, String)> {
    let trimmed = line.trim_start();
    let mark = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = trimmed.chars().take_while(|c| *c == mark).count();
    (len >= 3).then(|| (mark.to_string().repeat(len), trimmed[len..].trim().to_string()))
}

/// Parses `<!-- key: value -->` (or `<!-- key -->`).
fn marker(line: &str) -> Option<(String, String)> {
    let inner = line.trim().strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    let (key, value) = inner.split_once(':').unwrap_or((inner, ""));
    Some((key.trim().to_string(), value.trim().to_string()))
}

/// Reads one Markdown file.
fn parse(text: &str) -> Page {
    let mut page = Page::default();
    let lines: Vec<&str> = text.lines().collect();
    // Prose only: code blocks blanked, so links and headings inside them are not read.
    let mut prose: Vec<String> = Vec::with_capacity(lines.len());
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some((fence, info)) = fence_open(line) {
            let start = i;
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim().starts_with(fence.as_str()) {
                body.push(lines[i]);
                i += 1;
            }
            prose.extend(std::iter::repeat_n(String::new(), i.min(lines.len() - 1) - start + 1));
            i += 1;
            let lang = info.split_whitespace().next().unwrap_or("");
            if lang == "yaml" || lang == "yml" {
                let mut markers = Vec::new();
                let mut k = start;
                while k > 0 {
                    let Some(m) = marker(lines[k - 1]) else { break };
                    markers.insert(0, m);
                    k -= 1;
                }
                // A fence indented under a list item: its body is indented as much.
                let indent = line.len() - line.trim_start().len();
                let text = body.iter().map(|l| l.get(indent..).unwrap_or(l.trim_start())).collect::<Vec<_>>();
                page.yaml.push(YamlExample { line: start + 1, markers, text: text.join("\n") + "\n" });
            }
            continue;
        }
        if let Some(heading) = line.strip_prefix('#') {
            let heading = heading.trim_start_matches('#');
            if heading.starts_with(' ') {
                let base = slug(heading.trim().trim_end_matches('#').trim());
                let n = seen.entry(base.clone()).or_insert(0);
                page.anchors.push(if *n == 0 { base.clone() } else { format!("{base}-{n}") });
                *n += 1;
            }
        }
        prose.push(line.to_string());
        i += 1;
    }
    let prose = blank_code_spans(&prose.join("\n"));
    let line_of = |offset: usize| prose[..offset].matches('\n').count() + 1;
    // Inline links and images: `](target)` or `](target "title")`.
    for (at, _) in prose.match_indices("](") {
        let rest = &prose[at + 2..];
        let end = rest.find([')', ' ', '\n']).unwrap_or(rest.len());
        let target = rest[..end].trim_start_matches('<').trim_end_matches('>');
        page.links.push((line_of(at), target.to_string()));
    }
    for (n, line) in prose.lines().enumerate() {
        // Reference definitions: `[label]: target`.
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') && !trimmed.starts_with("[!") {
            if let Some((_, rest)) = trimmed.split_once("]:") {
                if let Some(target) = rest.split_whitespace().next() {
                    page.links.push((n + 1, target.to_string()));
                }
            }
        }
        // Explicit anchors in HTML.
        for attr in ["id=\"", "name=\""] {
            for (at, _) in line.match_indices(attr) {
                let value = &line[at + attr.len()..];
                if let Some(end) = value.find('"') {
                    page.anchors.push(value[..end].to_string());
                }
            }
        }
    }
    page
}

/// The Markdown files a reader is sent to: README.md, CONTRIBUTING.md and everything under docs/.
fn doc_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md"), root.join("CONTRIBUTING.md")];
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Every link that leads nowhere, as `file:line: problem`.
fn broken_links(root: &Path) -> Vec<String> {
    let mut pages = BTreeMap::new();
    let mut problems = Vec::new();
    for file in doc_files(root) {
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                pages.insert(file, parse(&text));
            }
            Err(e) => problems.push(format!("{}: cannot read: {e}", file.display())),
        }
    }
    let root = root.canonicalize().expect("the repository root resolves");
    for (file, page) in &pages {
        let shown = file.strip_prefix(&root).unwrap_or(file).display().to_string();
        for (line, target) in &page.links {
            // Absolute URLs (https:, mailto:) are not this test's to check.
            if target.split_once(':').is_some_and(|(scheme, _)| {
                !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
            }) {
                continue;
            }
            let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
            let dest = if path.is_empty() {
                file.clone()
            } else {
                let joined = file.parent().unwrap_or(&root).join(path);
                match joined.canonicalize() {
                    Ok(dest) if dest.starts_with(&root) => dest,
                    Ok(_) => {
                        problems.push(format!("{shown}:{line}: `{target}` leads outside the repository"));
                        continue;
                    }
                    Err(_) => {
                        problems.push(format!("{shown}:{line}: `{target}`: no such file"));
                        continue;
                    }
                }
            };
            if anchor.is_empty() || dest.extension().is_none_or(|e| e != "md") {
                // Anchors into code (`#L10`) are GitHub's viewer's, not a heading.
                continue;
            }
            let anchors = match pages.get(&dest) {
                Some(page) => page.anchors.clone(),
                None => parse(&std::fs::read_to_string(&dest).unwrap_or_default()).anchors,
            };
            if !anchors.iter().any(|a| a == anchor) {
                problems.push(format!(
                    "{shown}:{line}: `{target}`: no heading with anchor `#{anchor}` in {}",
                    dest.strip_prefix(&root).unwrap_or(&dest).display()
                ));
            }
        }
    }
    problems
}

/// Every YAML example that is not what its markers say, as `file:line: problem`.
fn broken_examples(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    for file in doc_files(root) {
        let shown = file.strip_prefix(root).unwrap_or(&file).display().to_string();
        let Ok(text) = std::fs::read_to_string(&file) else {
            problems.push(format!("{shown}: cannot read"));
            continue;
        };
        for example in parse(&text).yaml {
            let at = format!("{shown}:{}", example.line);
            let mut env = Vec::new();
            let (mut skip, mut fragment, mut invalid) = (false, false, false);
            for (key, value) in &example.markers {
                match key.as_str() {
                    "not-a-spec" => skip = true,
                    "gateway-fragment" => fragment = true,
                    "invalid" => invalid = true,
                    "env" => env.extend(value.split_whitespace().filter_map(|kv| kv.split_once('='))),
                    other => problems.push(format!("{at}: unknown example marker `{other}`")),
                }
            }
            if skip {
                continue;
            }
            let is_spec = example.text.lines().any(|l| {
                let l = l.trim_start();
                l.starts_with("gateways:") || l.starts_with("credentialProviders:")
            });
            let spec = if fragment {
                // Members of a gateway, however deep the example indents them.
                let lines = example.text.lines();
                let indent =
                    lines.clone().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min();
                let body: String = lines
                    .map(|l| format!("    {}\n", l.get(indent.unwrap_or(0)..).unwrap_or(l.trim_start())))
                    .collect();
                format!("{FRAGMENT_GATEWAY}{body}")
            } else if is_spec {
                example.text.clone()
            } else {
                problems.push(format!(
                    "{at}: a YAML example that is not a spec (no `gateways:` or `credentialProviders:`) needs a marker on the line \
                     before its fence: <!-- not-a-spec: why -->, <!-- gateway-fragment --> or <!-- invalid: why -->"
                ));
                continue;
            };
            write(dir.path(), "example.yaml", &spec);
            let mut acgw = Acgw::new(dir.path()).args(["validate", "-f", "example.yaml"]);
            for (key, value) in &env {
                acgw = acgw.env(key, value);
            }
            let run = acgw.run();
            match (invalid, run.code) {
                (false, Some(0)) => {}
                (false, _) => problems.push(format!("{at}: `acgw validate` refuses this example:\n{}", run.stderr)),
                (true, Some(1)) if run.stderr.contains("error:") => {}
                (true, _) => problems.push(format!(
                    "{at}: marked invalid, but `acgw validate` exits {:?} without an error:\n{}",
                    run.code, run.stderr
                )),
            }
        }
    }
    problems
}

#[test]
fn github_heading_anchors_are_made_as_github_makes_them() {
    assert_eq!(slug("Pull request to merge"), "pull-request-to-merge");
    assert_eq!(slug("Release binaries and `cargo binstall`"), "release-binaries-and-cargo-binstall");
    assert_eq!(
        slug("Reading the service: strict on input, tolerant on output"),
        "reading-the-service-strict-on-input-tolerant-on-output"
    );
    assert_eq!(slug("PR → merge"), "pr--merge");
    assert_eq!(slug("The [emulator](docs/emulator.md) and **moto_server**"), "the-emulator-and-moto_server");
    let page = parse("# A\n\n## A\n\n```\n# not a heading\n```\n\n## A\n<a id=\"custom\"></a>\n");
    assert_eq!(page.anchors, ["a", "a-1", "a-2", "custom"]);
}

#[test]
fn the_checker_finds_broken_links_anchors_and_unmarked_examples() {
    let dir = tempfile::tempdir().unwrap();
    // The repository is a folder of the temporary one, so that a link can lead outside it.
    let root = &dir.path().join("repo");
    std::fs::create_dir_all(root.join("docs")).unwrap();
    write(dir.path(), "elsewhere.md", "# Elsewhere\n");
    write(root, "CONTRIBUTING.md", "# Contributing\n\nSee [the spec](docs/spec.md#the-format).\n");
    write(
        root,
        "README.md",
        "# acgw\n\n[ok](docs/spec.md#fields), [gone](docs/missing.md), [bad anchor](docs/spec.md#nowhere),\n\
         [self](#acgw), [in code: `[x](nowhere.md)`](https://example.com) and `[y](nowhere-either.md)`.\n\n\
         ```sh\ncat [z](not-a-link.md)\n```\n\n[ref]: docs/also-missing.md\n",
    );
    write(
        root,
        "docs/spec.md",
        "# Spec\n\n## The format\n\n## Fields\n\n[up](../README.md#acgw) [outside](../../elsewhere.md)\n\n\
         ```yaml\nrules: []\n```\n\n<!-- gateway-fragment -->\n```yaml\nrules: []\n```\n\n\
         <!-- gateway-fragment -->\n```yaml\nrules: [{ priority: 0 }]\n```\n\n\
         <!-- invalid: no role -->\n```yaml\ngateways:\n  - name: a\n```\n\n\
         <!-- invalid: not really -->\n```yaml\ngateways:\n  - name: c\n    roleArn: arn:aws:iam::123456789012:role/r\n    authorizerType: NONE\n```\n\n\
         <!-- env: ROLE=arn:aws:iam::123456789012:role/r -->\n```yaml\ngateways:\n  - name: b\n    roleArn: ${ROLE}\n    authorizerType: NONE\n```\n\n\
         <!-- not-a-spec: a workflow -->\n```yaml\non: push\n```\n\n<!-- typo -->\n```yaml\ngateways: []\n```\n",
    );
    let links = broken_links(root);
    assert_eq!(
        links,
        [
            "README.md:3: `docs/missing.md`: no such file",
            "README.md:3: `docs/spec.md#nowhere`: no heading with anchor `#nowhere` in docs/spec.md",
            "README.md:10: `docs/also-missing.md`: no such file",
            "docs/spec.md:7: `../../elsewhere.md` leads outside the repository",
        ],
        "{links:#?}"
    );
    let examples = broken_examples(root);
    assert_eq!(examples.len(), 4, "{examples:#?}");
    assert!(examples[0].starts_with("docs/spec.md:9: a YAML example that is not a spec"), "{examples:#?}");
    assert!(examples[1].starts_with("docs/spec.md:19: `acgw validate` refuses this example"), "{examples:#?}");
    assert!(examples[1].contains("rules[0].priority"), "{examples:#?}");
    assert!(
        examples[2].starts_with("docs/spec.md:30: marked invalid, but `acgw validate` exits Some(0)"),
        "{examples:#?}"
    );
    assert!(examples[3].starts_with("docs/spec.md:51: unknown example marker `typo`"), "{examples:#?}");
}

#[test]
fn every_doc_link_and_anchor_resolves() {
    let problems = broken_links(&repo());
    assert!(problems.is_empty(), "broken links in the documentation:\n{}", problems.join("\n"));
}

#[test]
fn every_yaml_example_in_the_docs_is_what_it_says() {
    let problems = broken_examples(&repo());
    assert!(problems.is_empty(), "YAML examples in the documentation:\n{}", problems.join("\n"));
}

#[test]
fn the_readme_fits_on_a_screen_or_two() {
    let size = std::fs::metadata(repo().join("README.md")).expect("README.md exists").len();
    assert!(size < 15 * 1024, "README.md is {size} bytes; keep it under 15 KB and put the rest in docs/");
}

/// The README's set-up block: the lines of the ```sh block under "## Set-up commands".
fn set_up_commands(readme: &str) -> Vec<String> {
    let section = readme.split("\n## Set-up commands\n").nth(1).expect("README.md has a `## Set-up commands` section");
    let block = section.split("```sh\n").nth(1).and_then(|b| b.split("\n```").next()).expect("a ```sh block in it");
    block.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).map(str::to_string).collect()
}

#[test]
fn the_readmes_set_up_commands_do_what_it_says() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let commands = set_up_commands(&readme);
    assert_eq!(commands.len(), 2, "two set-up commands: the main job and the tests: {commands:?}");
    // The tests: CI (.ci/run) runs the same two steps, so a green CI is this command passing.
    assert_eq!(commands[1], ".ci/moto-setup && cargo test --locked");
    let ci = std::fs::read_to_string(repo().join(".ci/run")).expect(".ci/run");
    assert!(ci.contains("\nbash .ci/moto-setup\ncargo test --locked\n"), ".ci/run runs the README's tests:\n{ci}");
    // The main job, run as the README runs it (`cargo run --release -- ARGS`) on the quickstart spec.
    let args = commands[0].strip_prefix("cargo run --release -- ").expect("the main job runs acgw through cargo");
    let args: Vec<&str> = args.split_whitespace().collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("gateways.yaml"), dir.path().join("gateways.yaml")).unwrap();
    let run = Acgw::new(dir.path()).args(&args).run();
    assert_eq!(run.code, Some(0), "{args:?}: {run:?}");
    assert!(dir.path().join(".acgw/local-state.json").is_file(), "the state is where the README says");
    // "After the first command, `plan --local` shows `No changes. Gateways match the specs.`"
    let run = Acgw::new(dir.path()).args(["plan", "--local"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(readme.contains("`No changes. Gateways match the specs.`"), "the README quotes the clean plan");
    assert!(run.stdout.contains("No changes. Gateways match the specs."), "{run:?}");
    // "edit `gateways.yaml` (say, a description) and the next plan shows exactly that change"
    let spec = std::fs::read_to_string(dir.path().join("gateways.yaml")).unwrap();
    let edited = spec.replacen("description: Invoices and refunds", "description: Invoices, refunds and credits", 1);
    assert_ne!(spec, edited, "the quickstart spec has the description this test edits");
    write(dir.path(), "gateways.yaml", &edited);
    let run = Acgw::new(dir.path()).args(["plan", "--local"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("~ description: \"Invoices and refunds\" → \"Invoices, refunds and credits\""),
        "{run:?}"
    );
    assert!(run.stdout.contains("Plan: 0 to create, 1 to update, 0 to replace, 1 unchanged."), "{run:?}");
}

#[test]
fn every_document_the_code_names_exists() {
    // Error messages and doc comments send readers to pages by path (`docs/plan-format.md`); a
    // page renamed or never written (a DESIGN.md) leaves them nowhere.
    let root = repo();
    let mut problems = Vec::new();
    let mut dirs = vec![root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ reads").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file reads");
            for (n, line) in text.lines().enumerate() {
                let words = line.split(|c: char| !(c.is_ascii_alphanumeric() || "_./-".contains(c)));
                // Pages of this repository: docs/…, or a root file such as README.md. (Notes kept
                // outside it, `reference/…` in src/emulator/, are not this test's.)
                let ours = |w: &&str| w.starts_with("docs/") || w.starts_with("../") || !w.contains('/');
                for word in words.filter(|w| w.ends_with(".md")).filter(ours) {
                    // `../docs/x.md` (include_str!) is relative to the file; `docs/x.md` to the repository.
                    let base = if word.starts_with("../") { path.parent().unwrap_or(&root) } else { &root };
                    if !base.join(word).is_file() {
                        let shown = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
                        problems.push(format!("{shown}:{}: names `{word}`, which does not exist", n + 1));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
