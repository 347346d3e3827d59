//! The GitHub Action (action.yml, action/*.sh) as a pipeline runs it: the scripts run under bash
//! with the runner's variables, the real acgw binary plans against its in-process emulator
//! (`--local`), and GitHub is a fake REST API on loopback that keeps comments and issues.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

mod support;
use support::{repo, write};

const TOKEN: &str = "ghs_test-token-0123456789";
const REPO: &str = "octo/shop";

/// One comment on an issue or pull request.
#[derive(Clone, Debug)]
struct Comment {
    id: u64,
    issue: u64,
    body: String,
}

/// An issue as the fake keeps it.
#[derive(Clone, Debug)]
struct Issue {
    number: u64,
    title: String,
    body: String,
    state: String,
    labels: Vec<String>,
}

#[derive(Default)]
struct State {
    comments: Vec<Comment>,
    issues: Vec<Issue>,
    labels: Vec<String>,
    /// "METHOD /path?query" of every request, in order.
    requests: Vec<String>,
    /// Files served under /dl/ (release downloads).
    files: BTreeMap<String, Vec<u8>>,
    /// Answer every API call with this status instead.
    fail: Option<u16>,
    next_id: u64,
}

/// A fake of the parts of GitHub's REST API the action uses, on 127.0.0.1.
struct FakeGitHub {
    url: String,
    state: Arc<Mutex<State>>,
}

impl FakeGitHub {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State { next_id: 1000, ..State::default() }));
        let shared = Arc::clone(&state);
        // Serves until the test binary exits; curl makes one request per connection here.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &shared);
            }
        });
        FakeGitHub { url, state }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("fake state")
    }

    fn comments_on(&self, issue: u64) -> Vec<Comment> {
        self.state().comments.iter().filter(|c| c.issue == issue).cloned().collect()
    }

    /// Comments the action wrote (its marker starts the body).
    fn acgw_comments_on(&self, issue: u64) -> Vec<Comment> {
        self.comments_on(issue).into_iter().filter(|c| c.body.starts_with("<!-- acgw:")).collect()
    }

    fn requests(&self) -> Vec<String> {
        self.state().requests.clone()
    }

    fn add_comment(&self, issue: u64, body: &str) {
        let mut s = self.state();
        s.next_id += 1;
        let id = s.next_id;
        s.comments.push(Comment { id, issue, body: body.to_string() });
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let length: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let (status, content) = {
        let mut s = state.lock().expect("fake state");
        s.requests.push(format!("{method} {target}"));
        route(&mut s, &method, &target, headers.get("authorization").map(String::as_str), &body)
    };
    let mut stream = reader.into_inner();
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        content.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&content);
}

fn issue_json(i: &Issue) -> Value {
    json!({"number": i.number, "id": i.number + 500_000, "title": i.title, "body": i.body, "state": i.state,
           "labels": i.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>()})
}

/// GitHub's pages: `per_page` items from `(page - 1) * per_page`.
fn page<T: Clone>(items: &[T], query: &BTreeMap<String, String>) -> Vec<T> {
    let per: usize = query.get("per_page").and_then(|v| v.parse().ok()).unwrap_or(30).min(100);
    let page: usize = query.get("page").and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
    items.iter().skip((page - 1) * per).take(per).cloned().collect()
}

fn route(s: &mut State, method: &str, target: &str, auth: Option<&str>, body: &[u8]) -> (u16, Vec<u8>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let query: BTreeMap<String, String> =
        query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    if let Some(file) = path.strip_prefix("/dl/") {
        return match s.files.get(file) {
            Some(bytes) => (200, bytes.clone()),
            None => (404, b"Not Found".to_vec()),
        };
    }
    let reply = |status: u16, v: Value| (status, v.to_string().into_bytes());
    if auth != Some(&format!("Bearer {TOKEN}")) {
        return reply(401, json!({"message": "Bad credentials"}));
    }
    if let Some(status) = s.fail {
        return reply(status, json!({"message": "Resource not accessible by integration"}));
    }
    let input: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let text = |key: &str| input[key].as_str().map(str::to_string);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", ["repos", "octo", "acgw", "releases", "latest"]) => reply(200, json!({"tag_name": "v0.4.2"})),
        ("GET", ["repos", "octo", "shop", "issues", n, "comments"]) => {
            let n: u64 = n.parse().unwrap_or(0);
            let all: Vec<Value> = s
                .comments
                .iter()
                .filter(|c| c.issue == n)
                .map(|c| json!({"id": c.id, "body": c.body, "user": {"login": "someone"}}))
                .collect();
            reply(200, Value::Array(page(&all, &query)))
        }
        ("POST", ["repos", "octo", "shop", "issues", n, "comments"]) => {
            let (Ok(issue), Some(body)) = (n.parse(), text("body")) else {
                return reply(422, json!({"message": "body is missing"}));
            };
            s.next_id += 1;
            let id = s.next_id;
            s.comments.push(Comment { id, issue, body });
            reply(201, json!({"id": id}))
        }
        ("PATCH", ["repos", "octo", "shop", "issues", "comments", id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            match (s.comments.iter_mut().find(|c| c.id == id), text("body")) {
                (Some(c), Some(body)) => {
                    c.body = body;
                    reply(200, json!({"id": id}))
                }
                _ => reply(404, json!({"message": "Not Found"})),
            }
        }
        ("GET", ["repos", "octo", "shop", "issues"]) => {
            let label = query.get("labels").cloned().unwrap_or_default();
            let state = query.get("state").cloned().unwrap_or_else(|| "open".into());
            let all: Vec<Value> = s
                .issues
                .iter()
                .filter(|i| label.is_empty() || i.labels.contains(&label))
                .filter(|i| state == "all" || i.state == state)
                .map(issue_json)
                .collect();
            reply(200, Value::Array(page(&all, &query)))
        }
        ("POST", ["repos", "octo", "shop", "issues"]) => {
            let labels: Vec<String> = input["labels"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect();
            let (Some(title), Some(body)) = (text("title"), text("body")) else {
                return reply(422, json!({"message": "title and body are required"}));
            };
            let issue = Issue { number: s.issues.len() as u64 + 1, title, body, state: "open".into(), labels };
            let v = issue_json(&issue);
            s.issues.push(issue);
            reply(201, v)
        }
        ("PATCH", ["repos", "octo", "shop", "issues", n]) => {
            let n: u64 = n.parse().unwrap_or(0);
            let Some(issue) = s.issues.iter_mut().find(|i| i.number == n) else {
                return reply(404, json!({"message": "Not Found"}));
            };
            if let Some(body) = text("body") {
                issue.body = body;
            }
            if let Some(state) = text("state") {
                issue.state = state;
            }
            reply(200, issue_json(issue))
        }
        ("POST", ["repos", "octo", "shop", "labels"]) => match text("name") {
            Some(name) if s.labels.contains(&name) => reply(422, json!({"message": "Validation Failed"})),
            Some(name) => {
                s.labels.push(name.clone());
                reply(201, json!({"name": name}))
            }
            None => reply(422, json!({"message": "name is missing"})),
        },
        _ => reply(404, json!({"message": "Not Found"})),
    }
}

/// What a run of one of the action's scripts left behind.
#[derive(Debug)]
struct Step {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// GITHUB_OUTPUT, parsed.
    outputs: BTreeMap<String, String>,
    /// What was appended to GITHUB_STEP_SUMMARY.
    summary: String,
}

/// A job's workspace: specs in `dir`, the runner's files in `runner`.
struct Job {
    dir: tempfile::TempDir,
    runner: tempfile::TempDir,
}

impl Job {
    fn new() -> Self {
        let job = Job { dir: tempfile::tempdir().unwrap(), runner: tempfile::tempdir().unwrap() };
        std::fs::copy(repo().join("gateways.yaml"), job.dir.path().join("gateways.yaml")).unwrap();
        job
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs action/<script> as the runner would, with `env` on top of a pull_request or schedule event.
    fn run(&self, gh: &FakeGitHub, script: &str, script_args: &[&str], pr: Option<u64>, env: &[(&str, &str)]) -> Step {
        let runner = self.runner.path();
        let output = runner.join("output");
        let summary = runner.join("summary");
        let _ = std::fs::remove_file(&output);
        let _ = std::fs::remove_file(&summary);
        let event = runner.join("event.json");
        let (name, payload) = match pr {
            Some(n) => ("pull_request", json!({"pull_request": {"number": n}})),
            None => ("schedule", json!({"schedule": "0 6 * * *"})),
        };
        std::fs::write(&event, payload.to_string()).unwrap();
        let bin = PathBuf::from(env!("CARGO_BIN_EXE_acgw"));
        let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
        let mut cmd = Command::new("bash");
        cmd.arg(repo().join("action").join(script))
            .args(script_args)
            .current_dir(self.path())
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.path())
            .env("RUNNER_TEMP", runner)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("GITHUB_API_URL", &gh.url)
            .env("GITHUB_SERVER_URL", "https://github.example")
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_WORKSPACE", self.path())
            .env("GITHUB_RUN_ID", "4242")
            .env("GITHUB_EVENT_NAME", name)
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_PATH", runner.join("path"))
            .env("GITHUB_TOKEN", TOKEN);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("bash runs");
        let outputs = std::fs::read_to_string(&output)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let step = Step {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs,
            summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        };
        assert!(!step.stdout.contains(TOKEN) && !step.stderr.contains(TOKEN), "the token leaked: {step:?}");
        step
    }

    /// The action's main step with these inputs.
    fn action(&self, gh: &FakeGitHub, pr: Option<u64>, inputs: &[(&str, &str)]) -> Step {
        self.run(gh, "run.sh", &[], pr, inputs)
    }

    /// acgw itself, against the same local emulator state.
    fn acgw(&self, args: &[&str]) {
        let out = Command::new(env!("CARGO_BIN_EXE_acgw"))
            .args(args)
            .current_dir(self.path())
            .env_clear()
            .env("HOME", self.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("acgw runs");
        assert!(out.status.success(), "acgw {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

const PLAN: &[(&str, &str)] = &[("INPUT_COMMAND", "plan"), ("INPUT_ARGS", "--local")];

#[test]
fn the_plan_comment_is_created_once_then_updated_in_place_and_says_when_nothing_changes() {
    let gh = FakeGitHub::start();
    // A busy pull request: the action's comment lands after the first page of 100.
    for i in 0..130 {
        gh.add_comment(7, &format!("review comment {i}"));
    }
    gh.add_comment(8, "another pull request");
    let job = Job::new();

    let first = job.action(&gh, Some(7), PLAN);
    assert_eq!(first.code, Some(0), "{first:?}");
    assert_eq!(first.outputs["exit-code"], "2", "{first:?}");
    assert_eq!(first.outputs["has-changes"], "true");
    let mine = gh.acgw_comments_on(7);
    assert_eq!(mine.len(), 1, "{mine:?}");
    let created = mine[0].clone();
    assert!(
        created.body.contains("**Plan: 2 to create, 0 to update, 0 to replace, 0 unchanged.**"),
        "{}",
        created.body
    );
    assert!(created.body.contains("<summary><code>orders</code>: create</summary>"), "{}", created.body);
    assert!(created.body.contains("run 4242</a>"), "{}", created.body);
    assert!(first.summary.contains("Plan: 2 to create"), "{first:?}");
    let report = std::fs::read_to_string(&first.outputs["report"]).unwrap();
    assert!(created.body.ends_with(&report), "the comment is the marker and the report");
    // It looked through both pages of comments before creating one.
    let requests = gh.requests();
    assert!(
        requests.contains(&"GET /repos/octo/shop/issues/7/comments?per_page=100&page=2".to_string()),
        "{requests:?}"
    );
    assert_eq!(requests.iter().filter(|r| r.starts_with("POST")).count(), 1, "{requests:?}");

    // A reviewer's comment quotes the plan, marker and all, and is listed first: only a body that
    // starts with the marker is the action's. The next push plans again: the same comment is updated.
    gh.add_comment(7, &format!("> {}", created.body));
    gh.state().comments.rotate_right(1);
    job.acgw(&["apply", "--local", "--auto-approve"]);
    let second = job.action(&gh, Some(7), PLAN);
    assert_eq!(second.code, Some(0), "{second:?}");
    assert_eq!(second.outputs["exit-code"], "0");
    assert_eq!(second.outputs["has-changes"], "false");
    let mine = gh.acgw_comments_on(7);
    assert_eq!(mine.len(), 1, "still one comment: {mine:?}");
    assert_eq!(mine[0].id, created.id);
    assert!(mine[0].body.contains("**No changes. Gateways match the specs.**"), "{}", mine[0].body);
    assert!(!mine[0].body.contains("to create"), "{}", mine[0].body);
    let requests = gh.requests();
    assert!(requests.contains(&format!("PATCH /repos/octo/shop/issues/comments/{}", created.id)), "{requests:?}");
    assert_eq!(requests.iter().filter(|r| r.starts_with("POST")).count(), 1, "no second comment: {requests:?}");
    assert_eq!(gh.comments_on(8).len(), 1, "other pull requests are left alone");

    // Another spec set in the same pull request keeps its own comment.
    write(job.path(), "other.yaml", &std::fs::read_to_string(repo().join("gateways.yaml")).unwrap());
    let other = job.action(
        &gh,
        Some(7),
        &[("INPUT_COMMAND", "plan"), ("INPUT_ARGS", "--local"), ("INPUT_FILES", "other.yaml")],
    );
    assert_eq!(other.code, Some(0), "{other:?}");
    assert_eq!(gh.acgw_comments_on(7).len(), 2);
}

#[test]
fn a_failed_plan_posts_its_error_and_fails_the_step() {
    let gh = FakeGitHub::start();
    let job = Job::new();
    // A name with backticks: the error quotes it, and the fence must still hold.
    write(job.path(), "bad.yaml", "gateways:\n  - name: \"a```b\"\n    rolArn: x\n");
    let step =
        job.action(&gh, Some(3), &[("INPUT_COMMAND", "plan"), ("INPUT_ARGS", "--local"), ("INPUT_FILES", "bad.yaml")]);
    assert_eq!(step.code, Some(1), "{step:?}");
    assert_eq!(step.outputs["exit-code"], "1");
    assert_eq!(step.outputs["has-changes"], "false");
    let mine = gh.acgw_comments_on(3);
    assert_eq!(mine.len(), 1, "{mine:?}");
    let body = &mine[0].body;
    assert!(body.contains("### acgw plan failed (exit 1)"), "{body}");
    assert!(body.contains("bad.yaml:3:5: error:"), "{body}");
    assert!(body.contains("no API call was made"), "{body}");
    // The error sits in a fence longer than any backtick run in it.
    assert!(body.contains("\n````\n"), "{body}");
    assert!(step.stderr.contains("bad.yaml:3:5: error:"), "the log shows acgw's errors too: {step:?}");
}

#[test]
fn outside_a_pull_request_or_with_comment_false_nothing_is_posted() {
    let gh = FakeGitHub::start();
    let job = Job::new();
    let step = job.action(&gh, None, PLAN);
    assert_eq!(step.code, Some(0), "{step:?}");
    let step =
        job.action(&gh, Some(5), &[("INPUT_COMMAND", "plan"), ("INPUT_ARGS", "--local"), ("INPUT_COMMENT", "false")]);
    assert_eq!(step.code, Some(0), "{step:?}");
    assert!(step.summary.contains("Plan: 2 to create"), "{step:?}");
    assert!(gh.requests().is_empty(), "{:?}", gh.requests());
}

#[test]
fn an_api_refusal_fails_the_step_naming_the_call_and_the_permission() {
    let gh = FakeGitHub::start();
    gh.state().fail = Some(403);
    let job = Job::new();
    let step = job.action(&gh, Some(9), PLAN);
    assert_eq!(step.code, Some(1), "{step:?}");
    assert!(
        step.stderr.contains("::error title=acgw action::GET /repos/octo/shop/issues/9/comments?per_page=100&page=1: HTTP 403 (Resource not accessible by integration)"),
        "{step:?}"
    );
    assert!(step.stderr.contains("pull-requests: write"), "{step:?}");
    // The plan itself still reached the job summary.
    assert!(step.summary.contains("Plan: 2 to create"), "{step:?}");
}

#[test]
fn bad_inputs_are_refused_before_acgw_runs() {
    let gh = FakeGitHub::start();
    let job = Job::new();
    let step = job.action(&gh, Some(1), &[("INPUT_COMMAND", "import")]);
    assert_eq!(step.code, Some(1));
    assert!(
        step.stderr.contains("input command: expected plan, apply, drift or destroy, found \"import\""),
        "{step:?}"
    );
    let step = job.action(&gh, Some(1), &[("INPUT_COMMAND", "drift"), ("INPUT_DRIFT_ISSUE", "yes")]);
    assert_eq!(step.code, Some(1));
    assert!(step.stderr.contains("input drift-issue: expected true or false, found \"yes\""), "{step:?}");
    assert!(gh.requests().is_empty());
}

const DRIFT: &[(&str, &str)] = &[("INPUT_COMMAND", "drift"), ("INPUT_ARGS", "--local"), ("INPUT_DRIFT_ISSUE", "true")];

#[test]
fn drift_opens_one_issue_updates_it_and_closes_it_when_back_in_sync() {
    let gh = FakeGitHub::start();
    let job = Job::new();
    job.acgw(&["apply", "--local", "--auto-approve"]);
    let spec = std::fs::read_to_string(job.path().join("gateways.yaml")).unwrap();

    // In sync, no issue: nothing to open or close.
    let step = job.action(&gh, None, DRIFT);
    assert_eq!((step.code, step.outputs["exit-code"].as_str()), (Some(0), "0"), "{step:?}");
    assert!(gh.state().issues.is_empty());

    // The live gateway moves away from the spec (a hand edit, simulated by applying another spec).
    write(job.path(), "gateways.yaml", &spec.replace("Invoices and refunds", "Edited by hand"));
    job.acgw(&["apply", "--local", "--auto-approve"]);
    write(job.path(), "gateways.yaml", &spec);
    let step = job.action(&gh, None, DRIFT);
    assert_eq!(step.code, Some(0), "drift is not a failed step: {step:?}");
    assert_eq!(step.outputs["exit-code"], "2");
    assert_eq!(step.outputs["has-changes"], "true");
    let issues = gh.state().issues.clone();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].labels, ["acgw-drift"]);
    assert_eq!(issues[0].state, "open");
    assert_eq!(issues[0].title, "Gateway drift: gateways.yaml");
    assert!(issues[0].body.starts_with("<!-- acgw:drift:"), "{}", issues[0].body);
    assert!(issues[0].body.contains("billing"), "{}", issues[0].body);
    assert_eq!(gh.state().labels, ["acgw-drift"]);

    // Still drifted, and more: the same issue is updated, no second one.
    write(job.path(), "gateways.yaml", &spec.replace("Order tools for support agents", "Edited too"));
    job.acgw(&["apply", "--local", "--auto-approve"]);
    write(job.path(), "gateways.yaml", &spec);
    let step = job.action(&gh, None, DRIFT);
    assert_eq!(step.outputs["exit-code"], "2", "{step:?}");
    let issues = gh.state().issues.clone();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(issues[0].body.contains("Edited too"), "{}", issues[0].body);
    assert!(gh.requests().contains(&"PATCH /repos/octo/shop/issues/1".to_string()));

    // Back in sync: a comment says so and the issue is closed.
    job.acgw(&["apply", "--local", "--auto-approve"]);
    let step = job.action(&gh, None, DRIFT);
    assert_eq!(step.outputs["exit-code"], "0", "{step:?}");
    let issues = gh.state().issues.clone();
    assert_eq!(issues[0].state, "closed");
    let comments = gh.comments_on(1);
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert!(comments[0].body.starts_with("Back in sync"), "{}", comments[0].body);

    // Drifting again later opens a new issue: the closed one is history.
    write(job.path(), "gateways.yaml", &spec.replace("Invoices and refunds", "Edited again"));
    job.acgw(&["apply", "--local", "--auto-approve"]);
    write(job.path(), "gateways.yaml", &spec);
    let step = job.action(&gh, None, DRIFT);
    assert_eq!(step.outputs["exit-code"], "2", "{step:?}");
    assert_eq!(gh.state().issues.len(), 2);
    assert_eq!(gh.state().labels, ["acgw-drift"], "the label is created once");
}

/// A gzipped tarball holding `acgw`, a script standing in for the release binary.
fn release_archive(dir: &Path) -> Vec<u8> {
    let stage = dir.join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    let exe = stage.join("acgw");
    std::fs::write(
        &exe,
        "#!/bin/sh\necho 'acgw 9.9.9 (commit 0123456789ab, aws-sdk-bedrockagentcorecontrol 1.97.0)'\n",
    )
    .unwrap();
    Command::new("chmod").arg("755").arg(&exe).status().unwrap();
    let tarball = dir.join("a.tar.gz");
    let ok = Command::new("tar").arg("-czf").arg(&tarball).arg("-C").arg(&stage).arg("acgw").status().unwrap();
    assert!(ok.success());
    std::fs::read(tarball).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn install_resolves_the_version_and_installs_only_a_release_binary_whose_checksum_matches() {
    let gh = FakeGitHub::start();
    let job = Job::new();
    let archive = release_archive(job.runner.path());
    let name = "acgw-x86_64-unknown-linux-musl.tar.gz";
    {
        let mut s = gh.state();
        s.files.insert(format!("v9.9.9/{name}"), archive.clone());
        let sums =
            format!("{}  acgw-aarch64-unknown-linux-musl.tar.gz\n{}  {name}\n", "0".repeat(64), sha256_hex(&archive));
        s.files.insert("v9.9.9/SHA256SUMS".into(), sums.into_bytes());
        s.files.insert(format!("v9.9.8/{name}"), archive.clone());
        s.files.insert("v9.9.8/SHA256SUMS".into(), format!("{}  {name}\n", "1".repeat(64)).into_bytes());
    }
    let resolve = |env: &[(&str, &str)]| job.run(&gh, "install.sh", &["resolve"], None, env);
    let step = resolve(&[("ACGW_ACTION_REF", "v9.9.9"), ("ACGW_ACTION_REPOSITORY", "octo/acgw")]);
    assert_eq!(step.code, Some(0), "{step:?}");
    assert_eq!(step.outputs["version"], "v9.9.9", "the action's own release tag");
    assert_eq!(step.outputs["key"], "acgw-v9.9.9-x86_64-unknown-linux-musl");
    let step = resolve(&[("ACGW_ACTION_REF", "main")]);
    assert_eq!(step.outputs["version"], "source", "an unreleased ref builds its own source: {step:?}");
    assert!(step.outputs["key"].starts_with("acgw-source-"), "{step:?}");
    let step = resolve(&[("INPUT_VERSION", "latest"), ("ACGW_ACTION_REPOSITORY", "octo/acgw")]);
    assert_eq!(step.outputs["version"], "v0.4.2", "{step:?}");
    let step = resolve(&[("INPUT_VERSION", "0.3.0")]);
    assert_eq!(step.outputs["version"], "v0.3.0", "{step:?}");
    let step = resolve(&[("INPUT_VERSION", "v1; rm -rf /")]);
    assert_eq!(step.code, Some(1));
    assert!(step.stderr.contains("input version: expected a release such as v0.1.0"), "{step:?}");

    let releases = format!("{}/dl", gh.url);
    let dir = job.runner.path().join("tool/acgw");
    let dir = dir.to_str().unwrap();
    let install = |version: &str| {
        job.run(
            &gh,
            "install.sh",
            &["install"],
            None,
            &[("ACGW_INSTALL_VERSION", version), ("ACGW_INSTALL_DIR", dir), ("ACGW_RELEASES_URL", &releases)],
        )
    };
    // An unreleased ref on a runner without cargo: said plainly, with the way out.
    let step = job.run(
        &gh,
        "install.sh",
        &["install"],
        None,
        &[("ACGW_INSTALL_VERSION", "source"), ("ACGW_INSTALL_DIR", dir), ("PATH", "/usr/bin:/bin")],
    );
    assert_eq!(step.code, Some(1), "{step:?}");
    assert!(step.stderr.contains("version: source builds acgw with cargo, which this runner lacks"), "{step:?}");
    // A checksum that does not match: refused, nothing installed.
    let step = install("v9.9.8");
    assert_eq!(step.code, Some(1), "{step:?}");
    assert!(step.stderr.contains("checksum mismatch for acgw-x86_64-unknown-linux-musl.tar.gz of v9.9.8"), "{step:?}");
    assert!(!Path::new(dir).join("bin/acgw").exists());
    // A release without the file: refused.
    let step = install("v9.9.7");
    assert_eq!(step.code, Some(1), "{step:?}");
    assert!(step.stderr.contains("cannot download"), "{step:?}");

    let step = install("v9.9.9");
    assert_eq!(step.code, Some(0), "{step:?}");
    assert!(step.stderr.contains("installed acgw 9.9.9 (commit 0123456789ab"), "{step:?}");
    let path = std::fs::read_to_string(job.runner.path().join("path")).unwrap();
    assert_eq!(path.trim(), format!("{dir}/bin"));
    // A second job restored from the cache downloads nothing.
    let before = gh.requests().len();
    let step = install("v9.9.9");
    assert_eq!(step.code, Some(0), "{step:?}");
    assert!(step.stderr.contains("using the cached acgw 9.9.9"), "{step:?}");
    assert_eq!(gh.requests().len(), before);
}

#[test]
fn apply_runs_without_a_prompt_and_says_whether_it_changed_anything() {
    let gh = FakeGitHub::start();
    let job = Job::new();
    let apply = &[("INPUT_COMMAND", "apply"), ("INPUT_ARGS", "--local")];
    let step = job.action(&gh, Some(4), apply);
    assert_eq!(step.code, Some(0), "{step:?}");
    assert_eq!(step.outputs["has-changes"], "true");
    let body = gh.acgw_comments_on(4)[0].body.clone();
    assert!(body.contains("### acgw apply\n\n```\n"), "{body}");
    assert!(body.contains("Apply complete: 2 gateways changed."), "{body}");
    let step = job.action(&gh, Some(4), apply);
    assert_eq!((step.code, step.outputs["has-changes"].as_str()), (Some(0), "false"), "{step:?}");
    let mine = gh.acgw_comments_on(4);
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert!(mine[0].body.contains("No changes. Gateways match the specs."), "{}", mine[0].body);
}
