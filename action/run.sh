#!/usr/bin/env bash
# Runs one acgw command for the action, then reports it: the job summary, the outputs, a sticky
# pull-request comment, and the drift issue. Inputs come as INPUT_* variables (see action.yml); the
# rest is the runner's own environment (GITHUB_*, RUNNER_TEMP).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=action/lib.sh
. "$here/lib.sh"

command=${INPUT_COMMAND:-plan}
comment=${INPUT_COMMENT:-true}
drift_issue=${INPUT_DRIFT_ISSUE:-false}
tmp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
export ACGW_TMP=$tmp
acgw=${ACGW_BIN:-acgw}

case $command in plan | apply | drift | destroy) ;; *)
  die "input command: expected plan, apply, drift or destroy, found \"$command\"" ;;
esac
for flag in comment drift_issue; do
  case ${!flag} in true | false) ;; *)
    die "input ${flag//_/-}: expected true or false, found \"${!flag}\"" ;;
  esac
done

# files and args are split on whitespace, never evaluated by a shell: one word, one argument.
read -r -d '' -a files <<<"${INPUT_FILES:-}" || true
read -r -d '' -a extra <<<"${INPUT_ARGS:-}" || true
argv=("$command")
for f in "${files[@]+"${files[@]}"}"; do argv+=(-f "$f"); done
case $command in
plan) argv+=(--format markdown --detailed-exitcode) ;;
drift) argv+=(--format markdown) ;;
# A pipeline has no terminal to confirm on: the review happened on the pull request.
apply | destroy) argv+=(--auto-approve) ;;
esac
argv+=("${extra[@]+"${extra[@]}"}")

# One comment per pull request and spec set, one issue per spec set: the marker names the set by a
# hash of the command, directory and files, so that two workflows planning different specs in the
# same pull request keep two comments.
# The directory counts relative to the workspace, so runners with different paths agree.
where=${PWD#"${GITHUB_WORKSPACE:-}"}
set_key=$(printf '%s\n%s\n%s\n' "$command" "${where:-.}" "${files[*]+"${files[*]}"}" | sha256 | cut -c1-16)
report="$tmp/acgw-$command-$set_key.md"
stdout="$tmp/acgw-$command-$set_key.out"
stderr="$tmp/acgw-$command-$set_key.err"

note "running: acgw ${argv[*]}"
# stderr goes to the log as it comes (progress of a long apply) and to a file for the report; a
# pipeline, not a process substitution, so that tee has finished writing when the report is made.
set +e
NO_COLOR=1 "$acgw" "${argv[@]}" 2>&1 >"$stdout" | tee "$stderr" >&2
code=${PIPESTATUS[0]}
set -e

has_changes=false
case $command:$code in plan:2 | drift:2) has_changes=true ;; esac
if [ "$code" = 0 ] && { [ "$command" = apply ] || [ "$command" = destroy ]; }; then
  # apply and destroy end with their counts; anything but "no changes" changed something.
  grep -q -i -e 'no changes' -e 'nothing to' "$stdout" || has_changes=true
fi

# FILE's last 40,000 bytes (the reason for a failure is at the end, and a comment holds 65,536) in
# a fenced block that they cannot close: one backtick more than the longest run inside.
fenced() {
  local longest fence
  longest=$(tail -c 40000 "$1" | grep -o '`*' | awk '{ if (length($0) > n) n = length($0) } END { print n + 0 }')
  [ "$longest" -lt 3 ] && longest=2
  fence=$(printf '%*s' $((longest + 1)) '' | tr ' ' '`')
  printf '%s\n' "$fence"
  tail -c 40000 "$1"
  [ -z "$(tail -c 1 "$1")" ] || echo
  printf '%s\n' "$fence"
}

title="acgw $command"
spec_set=${files[*]+"${files[*]}"}
spec_set=${spec_set:-gateways.yaml}
{
  case $command:$code in
  plan:0 | plan:2 | drift:0 | drift:2) cat "$stdout" ;;
  *:0)
    printf '### %s\n\n' "$title"
    fenced "$stdout"
    ;;
  *)
    printf '### %s failed (exit %s)\n\n' "$title" "$code"
    fenced "$stderr"
    if [ -s "$stdout" ]; then
      printf '\n<details><summary>Output</summary>\n\n'
      fenced "$stdout"
      printf '\n</details>\n'
    fi
    ;;
  esac
  version=$("$acgw" --version 2>/dev/null | head -n1 | tr -d '`<>&' || true)
  link=""
  if [ -n "${GITHUB_RUN_ID:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ]; then
    link=" · <a href=\"${GITHUB_SERVER_URL:-https://github.com}/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID\">run $GITHUB_RUN_ID</a>"
  fi
  printf '\n<sub>Specs: <code>%s</code> · %s%s</sub>\n\n' \
    "$(printf '%s' "$spec_set" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g')" "${version:-acgw}" "$link"
} >"$report"

[ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat "$report" >>"$GITHUB_STEP_SUMMARY"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit-code=$code"
    echo "has-changes=$has_changes"
    echo "report=$report"
  } >>"$GITHUB_OUTPUT"
fi

# A body behind the marker, as a JSON document for the API.
body_json() { # MARKER FILE → JSON file with {body}
  local out="$tmp/acgw-body-$set_key.json"
  { printf '%s\n' "$1"; cat "$2"; } | jq -Rs '{body: .}' >"$out"
  printf '%s' "$out"
}
numeric() { [[ $1 =~ ^[0-9]{1,20}$ ]] || die "GitHub answered with \"$1\" where an id belongs"; }

repo=${GITHUB_REPOSITORY:-}
if [ "$comment" = true ]; then
  pr=""
  case ${GITHUB_EVENT_NAME:-} in pull_request | pull_request_target)
    pr=$(jq -r '.pull_request.number // empty' "${GITHUB_EVENT_PATH:-/dev/null}" 2>/dev/null || true) ;;
  esac
  if [ -n "$pr" ]; then
    numeric "$pr"
    [ -n "$repo" ] || die "GITHUB_REPOSITORY is not set"
    marker="<!-- acgw:comment:$set_key -->"
    body=$(body_json "$marker" "$report")
    id=$(find_marked "/repos/$repo/issues/$pr/comments" "$marker") || exit 1
    if [ -n "$id" ]; then
      numeric "$id"
      gh_ok PATCH "/repos/$repo/issues/comments/$id" "$body"
      note "updated the plan comment on pull request #$pr"
    else
      gh_ok POST "/repos/$repo/issues/$pr/comments" "$body"
      note "commented the plan on pull request #$pr"
    fi
  fi
fi

if [ "$drift_issue" = true ] && [ "$command" = drift ] && { [ "$code" = 0 ] || [ "$code" = 2 ]; }; then
  [ -n "$repo" ] || die "GITHUB_REPOSITORY is not set"
  label='acgw-drift'
  marker="<!-- acgw:drift:$set_key -->"
  number=$(find_marked "/repos/$repo/issues?labels=$label&state=open" "$marker") || exit 1
  [ -z "$number" ] || numeric "$number"
  if [ "$code" = 2 ]; then
    body=$(body_json "$marker" "$report")
    if [ -n "$number" ]; then
      gh_ok PATCH "/repos/$repo/issues/$number" "$body"
      note "updated drift issue #$number"
    else
      # The label may not exist yet; 422 means it does.
      jq -n --arg l "$label" '{name: $l, color: "d93f0b", description: "Live gateways differ from their specs (acgw drift)"}' \
        >"$tmp/acgw-label.json"
      gh_api POST "/repos/$repo/labels" "$tmp/acgw-label.json" || true
      jq --arg t "Gateway drift: $spec_set" --arg l "$label" '. + {title: $t, labels: [$l]}' "$body" >"$body.new"
      gh_ok POST "/repos/$repo/issues" "$body.new"
      number=$(jq -r '.number // empty' "$GH_BODY")
      note "opened drift issue #$number"
    fi
  elif [ -n "$number" ]; then
    jq -Rs '{body: ("Back in sync: `acgw drift` found no drift.\n\n" + .)}' "$report" >"$tmp/acgw-close.json"
    gh_ok POST "/repos/$repo/issues/$number/comments" "$tmp/acgw-close.json"
    echo '{"state":"closed","state_reason":"completed"}' >"$tmp/acgw-state.json"
    gh_ok PATCH "/repos/$repo/issues/$number" "$tmp/acgw-state.json"
    note "closed drift issue #$number: back in sync"
  fi
fi

case $code in
0 | 2) exit 0 ;;
*) exit "$code" ;;
esac
