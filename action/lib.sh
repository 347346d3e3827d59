# shellcheck shell=bash
# Shared by the action's scripts: messages, hashing, and the GitHub REST API through curl and jq
# (not `gh`: runners of GitHub Enterprise and containers often lack it, and it cannot be pointed at
# a test server). Every API URL starts from GITHUB_API_URL.

# Pages of 100 read before giving up on finding a marker: 5,000 comments or issues. The server
# decides how many pages there are; this bounds what it can make the action do.
ACGW_MAX_PAGES=${ACGW_MAX_PAGES:-50}

# Messages go to stderr, prefixed, so that nothing the service returned can start a line with `::`
# and be read by the runner as a workflow command.
note() { printf 'acgw-action: %s\n' "$*" >&2; }
die() {
  printf '::error title=acgw action::%s\n' "$(one_line "$*")" >&2
  exit 1
}
warn() { printf '::warning title=acgw action::%s\n' "$(one_line "$*")" >&2; }

# Text made safe for one workflow-command line: newlines, % and the command delimiters escaped as
# the runner expects, and capped.
one_line() {
  local s=${1:0:1000}
  s=${s//'%'/'%25'}
  s=${s//$'\r'/'%0D'}
  s=${s//$'\n'/'%0A'}
  printf '%s' "$s"
}

# SHA-256 of stdin as 64 hex digits: sha256sum on Linux and Windows' Git Bash, shasum on macOS.
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum | cut -d' ' -f1
  else
    shasum -a 256 | cut -d' ' -f1
  fi
}

# gh_api METHOD PATH [JSON-FILE]: calls the API; the response body goes to $GH_BODY and the HTTP
# status to $GH_STATUS. The token is handed to curl on stdin, as a config line, so that it never
# appears in a process listing. Returns 1 on a transport failure.
GH_BODY=""
GH_STATUS=""
gh_api() {
  local method=$1 path=$2 data=${3:-}
  local url="${GITHUB_API_URL:-https://api.github.com}${path}"
  GH_BODY=$(mktemp "${ACGW_TMP:-${TMPDIR:-/tmp}}/acgw-api.XXXXXX")
  local -a cmd=(curl --silent --show-error --location --max-time 60
    --request "$method" --output "$GH_BODY" --write-out '%{http_code}'
    --header 'Accept: application/vnd.github+json'
    --header 'X-GitHub-Api-Version: 2022-11-28'
    --header 'Expect:'
    --config -)
  # Reads are retried on transient failures; a write is not, as a lost answer may hide a success.
  [ "$method" = GET ] && cmd+=(--retry 3)
  if [ -n "$data" ]; then
    cmd+=(--header 'Content-Type: application/json' --data-binary "@$data")
  fi
  cmd+=("$url")
  GH_STATUS=$(printf 'header = "Authorization: Bearer %s"\n' "${GITHUB_TOKEN:-}" | "${cmd[@]}") || {
    GH_STATUS=000
    return 1
  }
}

# Says why the last call failed, with GitHub's own message (data from the server: one line, capped).
gh_failure() {
  local message
  message=$(jq -r '.message? // empty' "$GH_BODY" 2>/dev/null | head -c 300 | tr -d '\r\n' || true)
  printf '%s %s: HTTP %s%s' "$1" "$2" "$GH_STATUS" "${message:+ ($message)}"
}

# gh_ok METHOD PATH [JSON-FILE]: gh_api, failing the action on anything but a 2xx answer.
gh_ok() {
  gh_api "$@" || die "$(gh_failure "$1" "$2") (could not reach ${GITHUB_API_URL:-https://api.github.com})"
  case $GH_STATUS in
  2??) ;;
  403 | 404)
    die "$(gh_failure "$1" "$2"). The job's token needs the permissions named in docs/pipelines.md (pull-requests: write for comments, issues: write for drift issues); pull requests from forks get a read-only token."
    ;;
  *) die "$(gh_failure "$1" "$2")" ;;
  esac
}

# find_marked LIST-PATH MARKER: pages through a listing of comments or issues (100 a page, at most
# ACGW_MAX_PAGES pages) and prints the number (issues) or id (comments) of the first whose body
# starts with MARKER; nothing if none does. A body that only quotes the marker does not count.
find_marked() {
  local path=$1 marker=$2 page=1 found count sep='?'
  case $path in *\?*) sep='&' ;; esac
  while [ "$page" -le "$ACGW_MAX_PAGES" ]; do
    gh_ok GET "${path}${sep}per_page=100&page=${page}"
    found=$(jq -r --arg m "$marker" 'if type == "array" then
        [.[] | select(type == "object" and ((.body // "") | type == "string" and startswith($m)))]
        | first | (.number // .id) // empty
      else error("not a list") end' "$GH_BODY" 2>/dev/null) ||
      die "GET ${path}: the answer is not a JSON list"
    if [ -n "$found" ]; then
      printf '%s\n' "$found" | head -n1
      return 0
    fi
    count=$(jq 'if type == "array" then length else 0 end' "$GH_BODY")
    [ "$count" -lt 100 ] && return 0
    page=$((page + 1))
  done
  warn "stopped looking after ${ACGW_MAX_PAGES} pages of ${path}"
}
