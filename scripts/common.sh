# shellcheck shell=bash disable=SC2034 # the EXIT_* codes are for the scripts that source this
# Shared helpers for run-qemu.sh and the scripts it uses: exit codes, messages, the cache.

shopt -s inherit_errexit

# Exit codes of run-qemu.sh (also listed in README.md and --help).
readonly EXIT_OK=0          # every case had its expected outcome
readonly EXIT_CHANGED=1     # some case changed, failed or has no expectation
readonly EXIT_INFRA=2       # bad argument, missing tool, fetch or build failure
readonly EXIT_SPLAT=3       # kernel panic, or WARNING/BUG/Oops in the guest log
readonly EXIT_HANG=4        # the guest did not finish within --timeout

PFNMAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PFNMAP_CACHE=${PFNMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfnmap_dev}
export PFNMAP_TOP PFNMAP_CACHE

progress() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
warn() { printf 'run-qemu: %s\n' "$*" >&2; }
die() { warn "$*"; exit "$EXIT_INFRA"; }

# Cache entries are written in a staging dir next to their final name and published by one
# rename, so a reader never sees a half-written entry. A staging dir records the PID of the
# run writing it; one whose writer is gone (interrupted, killed) is swept by the next run.
make_staging() {
	local final=$1 staging
	mkdir -p "$(dirname "$final")"
	staging=$(mktemp -d "$final.tmp.XXXXXX") || die "cannot create a staging dir next to $final"
	echo "$$" >"$staging/.pfnmap-writer"
	echo "$staging"
}

publish_dir() {
	local staging=$1 final=$2
	rm -f "$staging/.pfnmap-writer"
	rm -rf "$final"
	mv -T "$staging" "$final"
}

sweep_stale_staging() {
	local dir=$1 staging writer
	for staging in "$dir"/*.tmp.*; do
		[[ -d $staging ]] || continue
		writer=$(cat "$staging/.pfnmap-writer" 2>/dev/null || echo none)
		[[ $writer =~ ^[0-9]+$ ]] && kill -0 "$writer" 2>/dev/null && continue
		progress "removing $(basename "$staging"), left by an interrupted run"
		rm -rf "$staging"
	done
}

require_free_space() {
	local dir=$1 need_gb=$2 avail_kb
	mkdir -p "$dir"
	avail_kb=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
	if ((avail_kb < need_gb * 1024 * 1024)); then
		die "only $((avail_kb / 1024 / 1024)) GiB free under $dir, need ${need_gb} GiB; prune with: $0 --prune"
	fi
}

# Debian package names for the host tools each step needs.
declare -A PACKAGE_FOR_TOOL=(
	[qemu-system-x86_64]=qemu-system-x86 [busybox]=busybox-static [gcc]=build-essential
	[make]=build-essential [flex]=flex [bison]=bison [bc]=bc [cpio]=cpio [xz]=xz-utils
	[dpkg-deb]=dpkg [apt-get]=apt [perl]=perl [openssl]=openssl [shellcheck]=shellcheck
	[python3]=python3 [chromium]=chromium
)
declare -A PACKAGE_FOR_FILE=(
	[/usr/include/libelf.h]=libelf-dev [/usr/include/openssl/ssl.h]=libssl-dev
	[/usr/lib/python3/dist-packages/yaml/__init__.py]=python3-yaml
	[/usr/lib/python3/dist-packages/jsonschema/__init__.py]=python3-jsonschema
)

# Installs what is missing when we are root on Debian, otherwise names the command to run.
ensure_host_tools() {
	local tool missing=()
	for tool in "$@"; do
		if [[ $tool == /* ]]; then
			[[ -e $tool ]] || missing+=("${PACKAGE_FOR_FILE[$tool]}")
		else
			command -v "$tool" >/dev/null 2>&1 || missing+=("${PACKAGE_FOR_TOOL[$tool]:-$tool}")
		fi
	done
	((${#missing[@]} == 0)) && return 0
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	apt_install "${missing[@]}"
}

# Installs Debian packages when we are root (updating the lists once if needed); otherwise,
# or when that fails, names the command and exits with the infrastructure code.
apt_install() {
	if [[ ${PFNMAP_NO_INSTALL:-0} != 1 && $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		progress "installing missing packages: $*"
		if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 ||
			{ apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2; }; then
			return 0
		fi
	fi
	die "missing host packages: $* (install with: apt-get install $*)"
}
