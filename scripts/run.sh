#!/usr/bin/env bash
# Start the action server and the Rasa server (REST, the chat page and its socket.io,
# Telegram, Slack) and stop both on Ctrl-C / SIGTERM. `make run` calls this after
# installing and training.
#
# Environment (all optional):
#   RASA_PORT (5005), ACTION_PORT (5055), RASA_MODEL (models/osteo-hair-faq.tar.gz)
#   TRACKER_STORE=sqlite (default; file TRACKER_SQLITE_DB, rasa.db) | postgres
#     (endpoints.postgres.yml, POSTGRES_HOST/PORT/DB/USER/PASSWORD)
#   CHANNEL_JOURNAL_DB: Telegram and Slack updates not yet answered (default:
#     channel-journal.db beside TRACKER_SQLITE_DB; in Redis with LOCK_STORE=redis).
#   ENDPOINTS: an endpoints file to use instead (tests use their own ports).
#   CONVERSATION_RETENTION_DAYS (30): conversations are deleted this many days after
#     their last message; 0 keeps them.
#   LOCK_STORE=in_memory (default; one Rasa process) | redis (endpoints.redis-lock.yml,
#     REDIS_HOST/PORT/DB/PASSWORD/KEY_PREFIX): for several Rasa processes on one store.
#   ACTION_SERVER=local (default) | external: start no action server; use the one at
#     ACTION_ENDPOINT_URL.
#   PUBLIC_BASE_URL: the server's public address (https://bot.example.org) for the links
#     to the article in answers on REST, Telegram and Slack; unset: the address each
#     request came in on.
#   CORS_ORIGINS: other sites' origins allowed to call the server from a browser (none by
#     default: the chat page at /chat/ is served by the server itself).
#   RASA_API_TOKEN: turns on Rasa's HTTP API (conversations, model, …), with this token
#     required on every call; without it there is no API.
#   RASA_TENSORFLOW=1: load TensorFlow even though the model does not need it.
#   STOCK_RASA=1: Rasa as installed, without rasa_patches (fixes and TensorFlow placeholder).
# `--shell` starts the same servers and talks to the bot in this terminal (or a pipe)
# over REST; end of input stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
RASA_MODEL=${RASA_MODEL:-models/osteo-hair-faq.tar.gz}
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTION_PORT}/webhook}
# This project's actions read slots and the latest message, not old events: the action
# server gets the last turns' events only (rasa_patches/conversation_length.py). Set
# ACTION_EVENTS=all for an action server that reads the whole conversation.
export ACTION_EVENTS=${ACTION_EVENTS:-recent}

case "${TRACKER_STORE:-sqlite}" in
  sqlite)
    default_endpoints=endpoints.yml
    export TRACKER_SQLITE_DB=${TRACKER_SQLITE_DB:-rasa.db}
    ;;
  postgres)
    default_endpoints=endpoints.postgres.yml
    export POSTGRES_HOST=${POSTGRES_HOST:-127.0.0.1} POSTGRES_PORT=${POSTGRES_PORT:-5432}
    export POSTGRES_DB=${POSTGRES_DB:-rasa} POSTGRES_USER=${POSTGRES_USER:-postgres}
    export POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-} POSTGRES_LOGIN_DB=${POSTGRES_LOGIN_DB:-postgres}
    ;;
  *) echo "error: TRACKER_STORE must be sqlite or postgres, not '${TRACKER_STORE}'" >&2; exit 2 ;;
esac
ENDPOINTS=${ENDPOINTS:-$default_endpoints}

# A server the settings name must be reachable, or the error says which and what to do.
reachable() {  # host port
  "$BIN/python" -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 3)' "$1" "$2" 2>/dev/null
}
if [ "${TRACKER_STORE:-sqlite}" = postgres ] && ! reachable "$POSTGRES_HOST" "$POSTGRES_PORT"; then
  echo "error: PostgreSQL is not reachable at ${POSTGRES_HOST}:${POSTGRES_PORT} (TRACKER_STORE=postgres)." >&2
  echo "  Start it, set POSTGRES_HOST and POSTGRES_PORT, or use TRACKER_STORE=sqlite." >&2
  exit 1
fi

case "${LOCK_STORE:-in_memory}" in
  in_memory) ;;
  redis)
    export REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379}
    export REDIS_DB=${REDIS_DB:-1} REDIS_PASSWORD=${REDIS_PASSWORD:-}
    export REDIS_KEY_PREFIX=${REDIS_KEY_PREFIX:-osteo}
    if ! reachable "$REDIS_HOST" "$REDIS_PORT"; then
      echo "error: Redis is not reachable at ${REDIS_HOST}:${REDIS_PORT} (LOCK_STORE=redis)." >&2
      echo "  Start it, set REDIS_HOST and REDIS_PORT, or use LOCK_STORE=in_memory (one Rasa process)." >&2
      exit 1
    fi
    combined_dir=$(mktemp -d)
    cat "$ENDPOINTS" endpoints.redis-lock.yml > "$combined_dir/endpoints.yml"
    ENDPOINTS=$combined_dir/endpoints.yml
    ;;
  *) echo "error: LOCK_STORE must be in_memory or redis, not '${LOCK_STORE}'" >&2; exit 2 ;;
esac
# Days a conversation is kept after its last message; 0 keeps them forever.
export CONVERSATION_RETENTION_DAYS=${CONVERSATION_RETENTION_DAYS:-30}

# Chat platforms (credentials.yml reads these; a channel whose token is empty is off).
# See the README's Telegram and Slack sections.
export TELEGRAM_TOKEN=${TELEGRAM_TOKEN:-} TELEGRAM_BOT_NAME=${TELEGRAM_BOT_NAME:-}
export TELEGRAM_WEBHOOK_URL=${TELEGRAM_WEBHOOK_URL:-} TELEGRAM_SECRET_TOKEN=${TELEGRAM_SECRET_TOKEN:-}
export TELEGRAM_API_URL=${TELEGRAM_API_URL:-}
export SLACK_BOT_TOKEN=${SLACK_BOT_TOKEN:-} SLACK_SIGNING_SECRET=${SLACK_SIGNING_SECRET:-}
export SLACK_CHANNEL=${SLACK_CHANNEL:-} SLACK_API_URL=${SLACK_API_URL:-}

for f in "$BIN/rasa" "$RASA_MODEL"; do
  [ -e "$f" ] || { echo "error: $f is missing; use 'make run', which installs and trains first" >&2; exit 1; }
done

rasa_pid=""
action_pid=""
stop() {
  trap - INT TERM EXIT
  for pid in $rasa_pid $action_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${combined_dir:-}" ] && rm -rf "$combined_dir"
  return 0
}
trap stop EXIT
# Ctrl-C or SIGTERM is how the bot is meant to stop: a clean exit, so that make prints
# no "Error 143" after it.
trap 'exit 0' INT TERM

# The action server is rasa_sdk itself: `rasa run actions` would import all of Rasa
# first (twice the memory, slower to start).
# ACTION_SERVER=external: use the action server at ACTION_ENDPOINT_URL (another Rasa
# process's, or a separate one) and start none here.
# `--shell`: the servers' log goes to a file, and this terminal is the chat.
shell=false
exec 3>&1  # the servers' output: this script's own, or the shell's log file
if [ "${1:-}" = "--shell" ]; then
  shell=true
  server_log=$(mktemp -t osteo-shell-XXXXXX.log)
  exec 3>>"$server_log"
fi
start_actions() {
  [ "${ACTION_SERVER:-local}" = external ] && return 0
  "$BIN/python" -m rasa_sdk --actions actions --port "$ACTION_PORT" >&3 2>&3 &
  action_pid=$!
}
start_actions

# Origins of other sites whose pages may call this server from a browser (space-separated),
# for sites that embed the chat widget: CORS_ORIGINS="https://www.example.org". None by
# default.
extra=()
if [ -n "${CORS_ORIGINS:-}" ]; then
  read -ra cors_origins <<< "$CORS_ORIGINS"
  extra+=(--cors "${cors_origins[@]}")
fi
# Rasa's HTTP API (whole conversations, writing events, replacing the model) only with a
# token: without one, anyone who can reach the port could read every conversation.
if [ -n "${RASA_API_TOKEN:-}" ]; then
  extra+=(--enable-api --auth-token "$RASA_API_TOKEN")
fi

# Rasa through its fixes (rasa_patches): applied here, at start, and without TensorFlow
# when the model has no component that needs it (RASA_TENSORFLOW=1 loads it anyway;
# STOCK_RASA=1 runs Rasa as installed).
"$BIN/python" -m rasa_patches run --model "$RASA_MODEL" --port "$RASA_PORT" \
  --endpoints "$ENDPOINTS" --credentials credentials.yml "${extra[@]}" >&3 2>&3 &
rasa_pid=$!

# Rasa answers / ("Hello from Rasa") without the API: the readiness check.
[ "$shell" = true ] && echo "Starting the assistant (log: $server_log) ..."
for _ in $(seq 1 240); do
  if curl -fs "http://127.0.0.1:${RASA_PORT}/" >/dev/null 2>&1; then
    if [ "$shell" = true ]; then
      for _ in $(seq 1 60); do  # the first question needs the action server too
        curl -fs "http://127.0.0.1:${ACTION_PORT}/health" >/dev/null 2>&1 && break
        sleep 0.5
      done
      "$BIN/python" -m scripts.shell --url "http://127.0.0.1:${RASA_PORT}" || true
      exit 0
    fi
    cat <<EOT

The assistant is ready.
  Chat page: http://localhost:${RASA_PORT}/chat/
  REST:      POST http://localhost:${RASA_PORT}/webhooks/rest/webhook  {"sender": "me", "message": "does osteoporosis cause hair loss?"}
  socket.io: http://localhost:${RASA_PORT}/socket.io/
  Actions:   http://localhost:${ACTION_PORT}/webhook
Press Ctrl-C to stop.
EOT
    break
  fi
  kill -0 "$rasa_pid" 2>/dev/null || {
    echo "error: the Rasa server exited during start-up${server_log:+ (log: $server_log)}" >&2
    exit 1
  }
  sleep 0.25
done

# Supervise: a crashed action server is restarted, and so is one that stops answering
# its health check twice in a row (hung: meanwhile Rasa tells users to try again
# shortly); if the Rasa server itself stops, everything stops.
ticks=0
unanswered=0
while true; do
  sleep 0.5 & wait $! || true  # a plain wait keeps Ctrl-C and SIGTERM responsive
  if ! kill -0 "$rasa_pid" 2>/dev/null; then
    status=0
    wait "$rasa_pid" 2>/dev/null || status=$?
    # Stopped by Ctrl-C or SIGTERM (also when this script could not trap them, as under
    # a shell that started it in the background): a clean stop, not an error.
    case $status in 0 | 130 | 143) exit 0 ;; esac
    echo "error: the Rasa server stopped (status $status)" >&2
    exit 1
  fi
  [ -z "$action_pid" ] && continue  # an external action server is someone else's
  if ! kill -0 "$action_pid" 2>/dev/null; then
    echo "warning: the action server stopped; restarting it" >&2
    sleep 1
    start_actions
    unanswered=0
    continue
  fi
  ticks=$((ticks + 1))
  if [ $((ticks % 6)) -eq 0 ]; then  # every 3 s
    if curl -fs -m 2 "http://127.0.0.1:${ACTION_PORT}/health" >/dev/null 2>&1; then
      unanswered=0
    else
      unanswered=$((unanswered + 1))
      if [ "$unanswered" -ge 2 ]; then
        echo "warning: the action server stopped answering; replacing it" >&2
        kill -KILL "$action_pid" 2>/dev/null || true
        wait "$action_pid" 2>/dev/null || true
        start_actions
        unanswered=-5  # give the new one time to start
      fi
    fi
  fi
done
