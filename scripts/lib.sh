# Shared steps of scripts/demo and scripts/test. Every step checks first
# and does nothing when its work is already done, so a second run is fast.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
# The configuration rendered for the command that runs (setup demo|test):
# var/trytond-demo.conf or var/trytond-test.conf, never one shared file
CONF=""
# The platform's modules, activated in every database
EGOV_MODULES="egov_base egov_workflow egov_document egov_meeting egov_supervision"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else echo "Need root to run: $*" >&2; return 1; fi
}

# Install the Debian packages that are missing, and only those.
apt_install() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null \
            | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

python_packages() {
    command -v python3 >/dev/null || apt_install python3
    python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
    local requirements="$1" stamp="$VENV/.egov-requirements"
    local wanted
    wanted="$requirements $(cat requirements.txt requirements-dev.txt pyproject.toml | sha256sum)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
        return 0
    fi
    log "Installing Python packages ($requirements)"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -r "$requirements"
    "$VENV/bin/pip" install -q --no-deps -e .
    echo "$wanted" > "$stamp"
}

web_client() {
    command -v npm >/dev/null || apt_install nodejs npm
    local stamp="$ROOT/node_modules/.egov-lock"
    local wanted
    wanted="$(sha256sum package-lock.json)"
    if ! [ -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        log "Installing the web client (npm)"
        npm ci --no-audit --no-fund --loglevel=error
        echo "$wanted" > "$stamp"
    fi
    # sao's index.html loads its libraries from node_modules/ next to it,
    # and the platform's title and fonts from custom.js and custom.css
    ln -sfn .. "$ROOT/node_modules/tryton-sao/node_modules"
    ln -sfn ../../web/custom.js "$ROOT/node_modules/tryton-sao/custom.js"
    ln -sfn ../../web/custom.css "$ROOT/node_modules/tryton-sao/custom.css"
}

# setup demo|test
setup() {
    local purpose="$1"
    CONF="$ROOT/var/trytond-$purpose.conf"
    apt_install ca-certificates
    # The text of attachments for the search: .doc/.wps through
    # LibreOffice, scans through tesseract's Chinese model
    local extraction="libreoffice-writer-nogui tesseract-ocr tesseract-ocr-chi-sim"
    # 公文 rendered to PDF on the server: 楷 for signatures and notes
    # (宋/黑 come from fonts-noto-cjk; see egov_document/render)
    extraction="$extraction fonts-arphic-gkai00mp"
    if [ "$purpose" = test ]; then
        # openssl verifies the receipts' timestamps, fc-match checks the
        # official fonts' stand-ins (egov_document's tests); nginx puts two
        # servers behind one address in the load test's smoke run, wrk
        # times single pages at full rate (tests/load/pages.py)
        apt_install postgresql chromium fonts-noto-cjk $extraction \
            openssl fontconfig nginx-light wrk
        python_packages requirements-dev.txt
    else
        apt_install fonts-noto-cjk $extraction
        python_packages requirements.txt
    fi
    web_client
    # A seal key of its own for the demo and the tests (var/, git-ignored)
    "$VENV/bin/python" scripts/render-config "$CONF" \
        --dev-seal-key "$ROOT/var/audit-seal-$purpose.pem"
    export PATH="$VENV/bin:$PATH"
}

modules_hash() {
    find addons -type f \( -name '*.py' -o -name '*.xml' -o -name '*.cfg' \
        -o -name '*.po' -o -name '*.svg' \) -print0 | sort -z \
        | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

# Create (or bring up to date) an SQLite database with the platform and,
# the first time, the demo organisation.
sqlite_database() {
    local name="$1" dir="$ROOT/var/db"
    local file="$dir/$name.sqlite" stamp="$dir/$name.modules"
    mkdir -p "$dir"
    if ! [ -f "$stamp" ]; then
        log "Creating the database $name (SQLite) with zh_CN"
        rm -f "$file"
        touch "$file"
        local pass
        pass="$(mktemp)"
        # The admin password is replaced by the demo loader
        head -c 24 /dev/urandom | base64 > "$pass"
        # zh_CN the database's main language (config/trytond.conf), English
        # offered beside it
        TRYTONPASSFILE="$pass" trytond-admin -c "$CONF" -d "$name" --all \
            --email admin@localhost -l zh_CN en
        rm -f "$pass"
        trytond-admin -c "$CONF" -d "$name" -u $EGOV_MODULES \
            --activate-dependencies -l zh_CN
        log "Loading the demo organisation of Yichun"
        (cd demo && python load.py -c "$CONF" -d "$name")
        # The loader's records queued their indexing for a worker the
        # demo does not run: index them now
        log "Indexing the demo records for the search"
        python -m egov_base.search rebuild -c "$CONF" -d "$name"
        modules_hash > "$stamp"
    elif [ "$(cat "$stamp")" != "$(modules_hash)" ]; then
        log "Updating the modules of $name"
        # What an earlier version left in another layout first (a module
        # that split off), then the new modules and dependencies
        python scripts/upgrade-database -c "$CONF" -d "$name"
        trytond-admin -c "$CONF" -d "$name" -u $EGOV_MODULES \
            --activate-dependencies -l zh_CN
        trytond-admin -c "$CONF" -d "$name" --all -l zh_CN
        python scripts/upgrade-database --after -c "$CONF" -d "$name"
        modules_hash > "$stamp"
    fi
}
