# Shared by scripts/run and scripts/test: install what a fresh Debian 12 machine lacks.

# Runs a command as root (directly, or through sudo when available).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

# Installs Debian packages that are missing.
ensure_debs() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# The packages the desktop shell (Tauri, WebKitGTK) needs to build and run.
# iproute2: the sync tests make network namespaces of their own.
TEST_DEBS=(iproute2 tcpdump)
TAURI_DEBS=(build-essential pkg-config libwebkit2gtk-4.1-dev libssl-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev)
# The browser the end-to-end tests drive (playwright-core uses it; nothing is downloaded).
BROWSER_DEBS=(chromium)
# The real desktop window under a virtual display, driven over WebDriver.
WINDOW_TEST_DEBS=(xvfb xauth webkit2gtk-driver)

# Installs tauri-driver (the WebDriver server for Tauri windows) from crates.io if missing.
ensure_tauri_driver() {
  if ! command -v tauri-driver >/dev/null; then
    echo "installing tauri-driver from crates.io" >&2
    cargo install --locked --quiet tauri-driver
  fi
}

# True when a graphical session is there to open a window in.
have_display() {
  [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]
}

# Installs the UI's npm packages (from the lock file) if needed, then builds it into ui/dist.
build_ui() {
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
  (cd ui && npm run --silent build >/dev/null)
}
