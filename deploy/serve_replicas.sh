#!/usr/bin/env bash
# Serve NLP Atlas from several `streamlit run` replicas behind Debian's nginx, with sticky sessions.
#
#   N=2 PORT=8080 deploy/serve_replicas.sh          # or: make serve-replicas N=2 PORT=8080
#   deploy/serve_replicas.sh --render DIR           # only write DIR/nginx.conf (used by tests/deploy/test_deploy.py)
#
# Students open http://<this machine>:PORT. Replica i listens on 127.0.0.1:PORT+i (i = 1..N), so only nginx is
# reachable from the room. Ctrl-C (or SIGTERM) stops nginx and every replica this script started.
#
# Environment: N (replicas, 1..32, default 2), PORT (public port, default 8080), ADDR (public address, default
# 0.0.0.0; 127.0.0.1 keeps it on this machine), RUN_DIR (config, pid and logs; default /tmp/nlp-atlas-PORT),
# BIN (the virtualenv's bin, default .venv/bin), MAX_UPLOAD_MB (nginx's body limit; default: server.maxUploadSize
# of .streamlit/config.toml + 1 for multipart overhead, so Streamlit, not nginx, refuses a big upload with its message),
# ACCESS_LOG (default off), NLP_ATLAS_TRAIN_SLOTS (concurrent trainings per replica, passed through).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-2}
PORT=${PORT:-8080}
ADDR=${ADDR:-0.0.0.0}
RUN_DIR=${RUN_DIR:-${TMPDIR:-/tmp}/nlp-atlas-$PORT}
BIN=${BIN:-.venv/bin}
if [[ -z ${MAX_UPLOAD_MB:-} ]]; then
    py=$BIN/python; [[ -x $py ]] || py=python3
    MAX_UPLOAD_MB=$("$py" -c 'import tomllib
try:
    cfg = tomllib.load(open(".streamlit/config.toml", "rb"))
except OSError:
    cfg = {}
print(int(cfg.get("server", {}).get("maxUploadSize", 200)) + 1)')
fi
ACCESS_LOG=${ACCESS_LOG:-off}
COOKIE=nlp_atlas_replica
TEMPLATE=deploy/nginx.conf.template

die() { echo "serve_replicas: $*" >&2; exit 2; }
[[ $N =~ ^[0-9]+$ ]] && ((N >= 1 && N <= 32)) || die "N must be a whole number from 1 to 32 (got '$N')"
[[ $PORT =~ ^[0-9]+$ ]] && ((PORT >= 1 && PORT + N <= 65535)) || die "PORT must be a port number (got '$PORT')"
[[ $MAX_UPLOAD_MB =~ ^[0-9]+$ ]] || die "MAX_UPLOAD_MB must be a whole number (got '$MAX_UPLOAD_MB')"
[[ $ACCESS_LOG == off || $ACCESS_LOG == /* ]] || die "ACCESS_LOG must be 'off' or an absolute path"

# Fill the template's @@NAME@@ placeholders into $1/nginx.conf.
render() {
    local dir=$1 servers="" user_line="" i conf
    for ((i = 1; i <= N; i++)); do
        servers+="        server 127.0.0.1:$((PORT + i)) max_fails=3 fail_timeout=10s;"$'\n'
    done
    # As root, nginx's workers drop to an unprivileged user; they only need the temp dirs below.
    if [[ $(id -u) == 0 ]]; then user_line="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"; fi
    mkdir -p "$dir"/tmp/{body,proxy,fastcgi,uwsgi,scgi}
    [[ -z $user_line ]] || chown -R nobody "$dir/tmp"
    conf=$(<"$TEMPLATE")
    conf=${conf//@@USER_LINE@@/$user_line}
    conf=${conf//@@RUN_DIR@@/$dir}
    conf=${conf//@@ACCESS_LOG@@/$ACCESS_LOG}
    conf=${conf//@@MAX_UPLOAD_MB@@/$MAX_UPLOAD_MB}
    conf=${conf//@@COOKIE@@/$COOKIE}
    conf=${conf//@@SERVERS@@/${servers%$'\n'}}
    conf=${conf//@@LISTEN@@/$ADDR:$PORT}
    [[ $conf != *@@* ]] || die "unfilled placeholder in $TEMPLATE"
    printf '%s\n' "$conf" >"$dir/nginx.conf"
}

if [[ ${1:-} == --render ]]; then
    [[ -n ${2:-} ]] || die "usage: $0 --render DIR"
    mkdir -p "$2"
    render "$(cd "$2" && pwd)"
    exit 0
fi

NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[[ -x $NGINX ]] || die "nginx not found: apt-get install nginx (make serve-replicas does it for you)"
[[ -x $BIN/streamlit ]] || die "$BIN/streamlit not found: run 'make run' once to build the virtualenv"

mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
render "$RUN_DIR"
"$NGINX" -t -q -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -g 'daemon off;'

# One secret for all replicas (env only: Streamlit refuses it on the command line), so a cookie signed by one
# replica (the XSRF token) is valid on every other.
export STREAMLIT_SERVER_COOKIE_SECRET=${STREAMLIT_SERVER_COOKIE_SECRET:-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')}
pids=()
stop_all() {
    trap - EXIT INT TERM
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for ((i = 1; i <= N; i++)); do
    "$BIN/streamlit" run app.py --server.headless true --server.address 127.0.0.1 --server.port $((PORT + i)) \
        --server.fileWatcherType none --browser.gatherUsageStats false >"$RUN_DIR/replica-$i.log" 2>&1 &
    pids+=($!)
done

# Wait until every replica answers its health check (importing torch takes a few seconds each).
for ((i = 1; i <= N; i++)); do
    for ((try = 0; ; try++)); do
        if "$BIN/python" -c "import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=2)" \
            "http://127.0.0.1:$((PORT + i))/_stcore/health" 2>/dev/null; then break; fi
        kill -0 "${pids[i - 1]}" 2>/dev/null || die "replica $i exited; see $RUN_DIR/replica-$i.log"
        ((try < 240)) || die "replica $i not healthy after 120 s; see $RUN_DIR/replica-$i.log"
        sleep 0.5
    done
done

"$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -g 'daemon off;' &
pids+=($!)
echo "NLP Atlas: $N replicas behind nginx on http://$ADDR:$PORT (logs in $RUN_DIR; Ctrl-C stops everything)"
# Run until nginx or any replica ends (or a signal arrives), then stop the rest.
wait -n "${pids[@]}"
