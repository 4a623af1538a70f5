# shellcheck shell=bash disable=SC2034 # the EXIT_* codes are for the scripts that source this
# Shared helpers for run-qemu.sh and the scripts it uses: exit codes, messages, the cache.

shopt -s inherit_errexit

# Exit codes of run-qemu.sh (also listed in README.md and --help).
readonly EXIT_OK=0          # every case had its expected outcome
readonly EXIT_CHANGED=1     # some case changed, failed or has no expectation
readonly EXIT_INFRA=2       # bad argument, missing tool, fetch or build failure
readonly EXIT_SPLAT=3       # kernel panic, or WARNING/BUG/Oops in the guest log
readonly EXIT_HANG=4        # the guest did not finish within --timeout

# With --bisect, git bisect run's exit codes instead (git-bisect(1)): good, bad, a commit that
# cannot be tested (skipped), and any code from 128 up, which stops the bisection.
readonly BISECT_GOOD=0 BISECT_BAD=1 BISECT_SKIP=125 BISECT_ABORT=128

# bisect_code VERDICT: the exit code of a bisect verdict (good, bad, skip; anything else: abort).
bisect_code() {
	case $1 in
	good) echo "$BISECT_GOOD" ;;
	bad) echo "$BISECT_BAD" ;;
	skip) echo "$BISECT_SKIP" ;;
	*) echo "$BISECT_ABORT" ;;
	esac
}

# bisect_verdict_of_stop STAGE EXIT: the verdict of a --bisect run that stopped with one of the
# codes above in STAGE, before a verdict on the cases. setup (arguments, host tools, the probe):
# the same at every commit, so abort rather than skip them all; build (the tree's kernel, the
# module against it, the initramfs): this commit cannot be tested; guest: QEMU that did not start
# is the host's problem (abort); any other guest ending is judged from the results (judge).
bisect_verdict_of_stop() {
	local stage=$1 code=$2
	case $stage in
	setup) echo abort ;;
	build) echo skip ;;
	guest) if [[ $code == "$EXIT_INFRA" ]]; then echo abort; else echo judge; fi ;;
	*) echo abort ;;
	esac
}

PFNMAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PFNMAP_CACHE=${PFNMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfnmap_dev}
export PFNMAP_TOP PFNMAP_CACHE

progress() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
warn() { printf 'run-qemu: %s\n' "$*" >&2; }
die() { warn "$*"; exit "$EXIT_INFRA"; }

# Cache entries are written in a staging dir next to their final name and published by one
# rename, so a reader never sees a half-written entry. Its writer holds the entry's lock
# (lock_entry): a staging dir whose entry nobody holds is left by an interrupted or killed run,
# and the next run sweeps it. The PID it records decides for entries without a lock file.
make_staging() {
	local final=$1 staging
	mkdir -p "$(dirname "$final")"
	staging=$(mktemp -d "$final.tmp.XXXXXX") || die "cannot create a staging dir next to $final"
	echo "$$" >"$staging/.pfnmap-writer"
	echo "$staging"
}

# Publishing replaces an incomplete or --rebuild entry: only under the entry's exclusive lock,
# which a run using the entry holds shared (lock_entry), so nobody boots from what goes away.
publish_dir() {
	local staging=$1 final=$2
	rm -f "$staging/.pfnmap-writer"
	rm -rf "$final"
	mv -T "$staging" "$final"
}

# Runs sharing a cache lock each entry (flock on FINAL.lock, a file never removed): a writer
# holds it exclusively while it builds and publishes, and looks again once it has it, so a run
# that needs the entry another run is building waits and then reuses it; a run booting from a
# kernel build holds it shared until it exits, so that --rebuild elsewhere waits for it.
#
# lock_entry FINAL x|s: takes the lock, waiting (and saying so) while another run holds it;
# sets ENTRY_LOCK_FD. The lock goes with unlock_entry FD or when the process and every child
# it started (make, QEMU inherit the fd) have ended.
lock_entry() {
	local final=$1 mode=$2 what=building
	mkdir -p "${final%/*}" || die "cannot create ${final%/*}"
	exec {ENTRY_LOCK_FD}>>"$final.lock" || die "cannot open the lock file $final.lock"
	if ! flock -n "-$mode" "$ENTRY_LOCK_FD"; then
		[[ $mode == s ]] || what="using or building"
		progress "waiting for another run $what $(basename "$final")"
		flock "-$mode" "$ENTRY_LOCK_FD" || die "cannot lock $final.lock"
	fi
}

unlock_entry() {
	local fd=$1
	eval "exec $fd>&-"
}

# sweep_stale_staging DIR OWN_FINAL: OWN_FINAL is the entry whose lock the caller holds: its
# staging dirs are stale by definition (a killed writer may look alive a moment as a zombie).
sweep_stale_staging() {
	local dir=$1 own=$2 staging entry writer
	for staging in "$dir"/*.tmp.*; do
		[[ -d $staging ]] || continue
		entry=${staging%.tmp.*}
		if [[ $entry != "$own" ]]; then
			if [[ -e $entry.lock ]]; then
				flock -n -x "$entry.lock" true || continue
			else
				writer=$(cat "$staging/.pfnmap-writer" 2>/dev/null || echo none)
				[[ $writer =~ ^[0-9]+$ ]] && kill -0 "$writer" 2>/dev/null && continue
			fi
		fi
		progress "removing $(basename "$staging"), left by an interrupted run"
		rm -rf "$staging"
	done
}

free_kb() { df -Pk "$1" | awk 'NR == 2 { print $4 }'; }

require_free_space() {
	local dir=$1 need_gb=$2 avail_kb
	mkdir -p "$dir" || die "cannot create $dir$(cache_full_hint "$dir")"
	avail_kb=$(free_kb "$dir")
	if ((avail_kb < need_gb * 1024 * 1024)); then
		die "only $((avail_kb / 1024 / 1024)) GiB free under $dir, need ${need_gb} GiB; prune with: $0 --prune"
	fi
}

# Small entries (module, probe) need little, but a full disk must fail before they are
# written, with a message that says so. PFNMAP_CACHE_MIN_FREE_MB changes the need.
require_free_mb() {
	local dir=$1 need_mb=${PFNMAP_CACHE_MIN_FREE_MB:-$2} avail_kb
	mkdir -p "$dir" || die "cannot create $dir$(cache_full_hint "$dir")"
	avail_kb=$(free_kb "$dir")
	if ((avail_kb < need_mb * 1024)); then
		die "only $((avail_kb / 1024)) MiB free under $dir, need ${need_mb} MiB; prune with: $0 --prune"
	fi
}

# For the message of a failed write into the cache: says so when the filesystem is (nearly) full.
cache_full_hint() {
	local dir=$1 avail_kb
	while [[ ! -d $dir ]]; do dir=${dir%/*}; done
	avail_kb=$(free_kb "${dir:-/}" 2>/dev/null || echo unknown)
	[[ $avail_kb =~ ^[0-9]+$ ]] && ((avail_kb < 1024)) &&
		echo " (the filesystem of $dir is full: ${avail_kb} KiB free)"
	return 0
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
# or when that fails, names the command and exits with the infrastructure code. Without
# recommends (QEMU's pull in a GTK stack), apt's own lines in a log file, one progress line.
apt_install() {
	local log
	if [[ ${PFNMAP_NO_INSTALL:-0} != 1 && $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		log=$(mktemp "${TMPDIR:-/tmp}/pfnmap-apt.XXXXXX.log")
		progress "installing missing packages: $* (apt log: $log)"
		if apt_get_install "$@" >"$log" 2>&1 ||
			{ apt-get update -q >>"$log" 2>&1 && apt_get_install "$@" >>"$log" 2>&1; }; then
			return 0
		fi
		tail -n 5 "$log" >&2
	fi
	die "missing host packages: $* (install with: apt-get install --no-install-recommends $*)"
}

apt_get_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}
