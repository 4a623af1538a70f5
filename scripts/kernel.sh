# shellcheck shell=bash
# Kernel catalog, source fetching from Debian's archive and cached builds.
# Needs common.sh (and sources arch.sh). Cache layout under $PFNMAP_CACHE:
#   apt/                     private apt state (sources list, lists, downloaded .debs)
#   src/<package>_<version>/ unpacked source tree (read-only after publishing)
#   build/<version>-<hash>/  kbuild output dir (O=), complete when it holds .pfnmap-build
#                            (<version>[+flavor]@<arch>-<hash> for a non-default architecture)

source "$PFNMAP_TOP/scripts/arch.sh"

readonly CATALOG=$PFNMAP_TOP/kernels/catalog.tsv
readonly CONFIG_FRAGMENT=$PFNMAP_TOP/kernels/config.fragment
readonly DEBIAN_MIRROR=${PFNMAP_DEBIAN_MIRROR:-http://deb.debian.org}

catalog_rows() { grep -v '^#' "$CATALOG" | grep -v '^[[:space:]]*$'; }
catalog_series() { catalog_rows | cut -f1; }
catalog_default_series() { catalog_rows | awk -F'\t' '$4 == "default" { print $1 }'; }

catalog_field() {
	local series=$1 column=$2
	catalog_rows | awk -F'\t' -v s="$series" -v c="$column" '$1 == s { print $c; found = 1 } END { exit !found }'
}

check_series() {
	catalog_field "$1" 1 >/dev/null ||
		die "unknown kernel series '$1' (catalog: $(catalog_series | tr '\n' ' '))"
}

# "6.12.117-1" -> 6012; used to compare series and config "since" markers.
version_number() {
	local major minor
	IFS=.- read -r major minor _ <<<"$1"
	echo $((major * 1000 + ${minor:-0}))
}

# The binary caches are named: images may turn them off (docker-clean sets them to ""), and
# then every apt-cache call parses all six suites' lists again (15-40 s here, 0.3 s with them).
apt_private() {
	local tool=$1 dir=$PFNMAP_CACHE/apt
	shift
	"$tool" -q -o APT::Sandbox::User=root -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" -o Dir::State::Status=/dev/null \
		-o Dir::Cache::Archives="$dir/archives" -o Dir::Cache="$dir/cache" \
		-o APT::Architectures=amd64 -o Acquire::Languages=none \
		-o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache=srcpkgcache.bin "$@"
}

write_private_sources() {
	local dir=$PFNMAP_CACHE/apt suite archive
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/cache"
	# Debian's prebuilt kernels (kernels/distro.tsv, scripts/distro.sh) come from these lists too.
	{ catalog_rows | cut -f3; grep -v '^#' "$PFNMAP_TOP/kernels/distro.tsv" 2>/dev/null | cut -f2; } |
		tr ',' '\n' | grep -v '^[[:space:]]*$' | sort -u | while read -r suite; do
		archive=debian
		[[ $suite == *-security ]] && archive="debian-security"
		echo "deb [trusted=yes] $DEBIAN_MIRROR/$archive $suite main"
	done >"$dir/sources.list"
}

# CMD... with its output in the private apt log (appended): a progress line of ours says what is
# happening; of apt's own lines only its warnings and errors are shown (apt-get update exits 0
# when a mirror fails), and the tail of the log when it fails.
apt_logged() {
	local log=$PFNMAP_CACHE/apt/apt.log out rc=0
	out=$("$@" 2>&1) || rc=$?
	printf '%s\n' "$out" >>"$log"
	if ((rc == 0)); then
		grep -E '^(W|E|Err):' <<<"$out" | head -n 5 >&2 || true
	else
		tail -n 5 <<<"$out" >&2
	fi
	return "$rc"
}

refresh_package_lists() {
	write_private_sources
	progress "updating private package lists (Debian: $(catalog_rows | cut -f3 | tr '\n' ' '))"
	apt_logged apt_private apt-get update ||
		die "apt-get update of the private package lists failed (log: $PFNMAP_CACHE/apt/apt.log)"
}

newest_package_version() {
	local package=$1
	apt_private apt-cache madison "$package" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		sort -V -r | head -n1
}

# Prints the path of an unpacked source tree for a series, fetching it when none is cached.
source_tree_for_series() {
	local series=$1 package tree
	package=$(catalog_field "$series" 2)
	# Patched copies for variants are named <package>_<version>+<variant>: never a base tree.
	tree=$(find "$PFNMAP_CACHE/src" -maxdepth 1 -name "${package}_*" ! -name '*.tmp.*' ! -name '*+*' 2>/dev/null |
		sort -V | tail -n1 || true)
	if [[ -n $tree && ${PFNMAP_REFRESH:-0} != 1 ]]; then
		echo "$tree"
		return
	fi
	fetch_source "$package"
}

# The private apt state is one for the cache: one run at a time updates lists and downloads.
fetch_source() {
	local package=$1 version deb staging final apt_lock lock
	ensure_host_tools apt-get dpkg-deb xz
	require_free_space "$PFNMAP_CACHE" 4
	lock_entry "$PFNMAP_CACHE/apt" x
	apt_lock=$ENTRY_LOCK_FD
	refresh_package_lists
	version=$(newest_package_version "$package")
	[[ -n $version ]] || die "$package is not in the private package lists"
	final=$PFNMAP_CACHE/src/${package}_$version
	if [[ -d $final ]]; then
		unlock_entry "$apt_lock"
		echo "$final"
		return
	fi
	lock_entry "$final" x
	lock=$ENTRY_LOCK_FD
	if [[ -d $final ]]; then
		unlock_entry "$lock"
		unlock_entry "$apt_lock"
		echo "$final"
		return
	fi
	progress "downloading $package $version"
	(cd "$PFNMAP_CACHE/apt/archives" && apt_logged apt_private apt-get download "$package=$version") ||
		die "download of $package=$version failed (log: $PFNMAP_CACHE/apt/apt.log)"
	deb=$(ls "$PFNMAP_CACHE/apt/archives/${package}_${version//:/%3a}_"*.deb)
	unlock_entry "$apt_lock"
	sweep_stale_staging "$PFNMAP_CACHE/src" "$final"
	staging=$(make_staging "$final")
	progress "unpacking $package $version"
	mkdir "$staging/deb" "$staging/tree"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$staging/deb" --wildcards '*.tar.xz' ||
		die "cannot read $deb"
	tar -xJf "$staging"/deb/usr/src/linux-source-*.tar.xz -C "$staging/tree" --strip-components=1 ||
		die "cannot unpack the kernel tarball from $deb$(cache_full_hint "$staging")"
	rm -rf "$staging/deb"
	echo "$version" >"$staging/tree/.pfnmap-debian-version" ||
		die "cannot write into $staging$(cache_full_hint "$staging")"
	publish_dir "$staging/tree" "$final"
	rm -rf "$staging" "$deb"
	unlock_entry "$lock"
	echo "$final"
}

# Applies a variant's patches to a private copy of the tree; prints the copy's path.
patched_tree() {
	local tree=$1 patch_hash=$2
	shift 2
	local final=$tree+$patch_hash staging patch lock
	if [[ -d $final ]]; then
		echo "$final"
		return
	fi
	lock_entry "$final" x
	lock=$ENTRY_LOCK_FD
	if [[ -d $final ]]; then
		unlock_entry "$lock"
		echo "$final"
		return
	fi
	sweep_stale_staging "$PFNMAP_CACHE/src" "$final"
	staging=$(make_staging "$final")
	progress "linking a copy of $(basename "$tree") to apply $# patch(es)"
	# Hard links: patch(1) writes each file it changes anew and renames it into place, so the
	# shared base tree is never modified.
	cp -al "$tree/." "$staging/" || die "cannot link a copy of $tree$(cache_full_hint "$staging")"
	for patch in "$@"; do
		patch -d "$staging" -p1 --forward --batch --quiet <"$patch" >&2 ||
			die "patch $(basename "$patch") does not apply to $(basename "$tree")$(cache_full_hint "$staging")"
	done
	publish_dir "$staging" "$final"
	unlock_entry "$lock"
	echo "$final"
}

update_user_build() {
	local tree=$1 build=$2 jobs=$3 stamp start arch make_args
	arch=$(current_arch)
	mapfile -t make_args < <(arch_make_args "$arch")
	stamp=$(cat "$build/.pfnmap-build")
	rm -f "$build/.pfnmap-build"
	progress "bringing the build of $tree up to date (incremental make)"
	acquire_build_slot
	start=$SECONDS
	if ! make -C "$tree" O="$build" "${make_args[@]}" -j"$jobs" "$(arch_image_target "$arch")" modules \
		>"$build/build.log" 2>&1; then
		# Every run of a user's tree makes first, so the stamp cannot make it boot a stale kernel;
		# without it the next run would build from scratch (a bisect step whose commit does not
		# build would cost the next step a full build).
		echo "$stamp" >"$build/.pfnmap-build"
		die "kernel build failed for $tree; log in $build/build.log"
	fi
	release_build_slot
	progress "brought up to date in $((SECONDS - start)) s"
	echo "$stamp" >"$build/.pfnmap-build"
}

# fragment_for_arch ARCH FRAGMENT: the fragment as a build for ARCH reads it. A trailing
# "# arch A[,B]" (before any "since") limits a line to those architectures: their builds see
# the line without the marker, the others do not see it. So the default architecture's view of
# a fragment whose lines for it were only marked is the file as it was, and so is its cache key.
fragment_for_arch() {
	local arch=$1 fragment=$2 line list name number=0 known
	known=" ${ARCH_NAMES[*]} "
	while IFS= read -r line; do
		number=$((number + 1))
		if [[ $line =~ ^CONFIG_[^#]*#[[:space:]]*arch[[:space:]]+([^[:space:]]+) ]]; then
			list=${BASH_REMATCH[1]}
			for name in ${list//,/ }; do
				[[ $known == *" $name "* ]] ||
					die "${fragment#"$PFNMAP_TOP"/} line $number: unknown architecture '$name' (kernels/arch.tsv:${known% })"
			done
			[[ ,$list, == *",$arch,"* ]] || continue
			if [[ $line == *"# arch $list "* ]]; then
				line=${line/"# arch $list "/"# "}
			else
				line=${line/" # arch $list"/}
			fi
		fi
		printf '%s\n' "$line"
	done <"$fragment"
}

# fragment_lines_for VERSION [FRAGMENT...]: the options of kernels/config.fragment and of a
# flavor's fragments that apply to VERSION on the current architecture (PFNMAP_ARCH). A trailing
# "# since X.Y" limits a line to kernels that have the option, "# arch A" to an architecture
# (fragment_for_arch); CONFIG_X=n asks for X to be off (or not to exist).
fragment_lines_for() {
	local kernel_version=$1 line option since fragment arch view
	shift
	arch=$(current_arch)
	for fragment in "$CONFIG_FRAGMENT" "$@"; do
		# Its own step, not a process substitution: a bad marker must end the run.
		view=$(fragment_for_arch "$arch" "$fragment") || exit "$EXIT_INFRA"
		while IFS= read -r line; do
			[[ $line =~ ^(CONFIG_[A-Z0-9_]+=[^[:space:]]+)([[:space:]]*#[[:space:]]*since[[:space:]]+([0-9.]+))? ]] || continue
			option=${BASH_REMATCH[1]}
			since=${BASH_REMATCH[3]:-0}
			# An if, not &&: a last line for later kernels must not be the loop's status.
			if (($(version_number "$kernel_version") >= $(version_number "$since"))); then
				echo "$option"
			fi
		done <<<"$view"
	done
}

# Whether .config has OPTION as a fragment asked for it (CONFIG_X=n: X not set).
config_has() {
	local option=$1 config=$2
	if [[ $option == *=n ]]; then
		! grep -q "^${option%=n}=" "$config"
	else
		grep -qxF "$option" "$config"
	fi
}

# The cache key: everything that changes the built kernel. A cached Debian tree never changes,
# so its name (package and version) stands for its content; a user's tree is keyed by path.
# A flavor's fragments count only when there are some: a stock build's key stays what it was.
# Likewise the architecture: a non-default one is named, the default one's key is unchanged.
build_hash() {
	local tree=$1 arch fragment
	shift
	arch=$(current_arch)
	{
		if [[ $tree == "$PFNMAP_CACHE"/src/* ]]; then basename "$tree"; else realpath "$tree"; fi
		for fragment in "$CONFIG_FRAGMENT" "$@"; do fragment_for_arch "$arch" "$fragment"; done
		[[ -z $(arch_suffix "$arch") ]] || echo "arch=$arch"
		"$(arch_cc "$arch")" --version | head -n1
	} | sha256sum | cut -c1-12
}

# "+debug" for kernels/debug.fragment: a flavor's build dir says what it is.
flavor_suffix() {
	local fragment
	for fragment in "$@"; do printf '+%s' "$(basename "$fragment" .fragment)"; done
}

kernel_version_of_tree() { make -s -C "$1" kernelversion 2>/dev/null; }

# configure_kernel TREE OUT VERSION [FRAGMENT...]
configure_kernel() {
	local tree=$1 out=$2 kernel_version=$3 option missing=() make_args
	shift 3
	mapfile -t make_args < <(arch_make_args "$(current_arch)")
	make -s -C "$tree" O="$out" "${make_args[@]}" tinyconfig >/dev/null || die "make tinyconfig failed in $tree"
	fragment_lines_for "$kernel_version" "$@" >>"$out/.config"
	make -s -C "$tree" O="$out" "${make_args[@]}" olddefconfig >/dev/null 2>&1 || die "make olddefconfig failed in $tree"
	while read -r option; do
		config_has "$option" "$out/.config" || missing+=("$option")
	done < <(fragment_lines_for "$kernel_version" "$@")
	((${#missing[@]} == 0)) ||
		die "kernel $kernel_version ($(current_arch)) dropped required config options: ${missing[*]}"
}

minutes() { printf '%d min %02d s' "$(($1 / 60))" "$(($1 % 60))"; }

# The seconds the newest cached build of TREE's series for the current architecture took (any
# variant or flavor of it); nothing when none recorded it.
last_build_seconds() {
	local package stamp newest="" newest_mtime=0 mtime suffix
	package=$(basename "$1")
	package=${package%%_*}
	suffix=$(arch_suffix "$(current_arch)")
	for stamp in "$PFNMAP_CACHE"/build/"$package"_*/.pfnmap-build; do
		if [[ -n $suffix ]]; then [[ $stamp == *"$suffix-"* ]] || continue; else [[ $stamp != *@* ]] || continue; fi
		grep -q '^build_seconds=' "$stamp" 2>/dev/null || continue
		mtime=$(stat -c %Y "$stamp")
		((mtime > newest_mtime)) && { newest=$stamp; newest_mtime=$mtime; }
	done
	[[ -z $newest ]] || sed -n 's/^build_seconds=//p' "$newest"
}

# acquire_build_slot: one kernel build at a time on this machine, whichever run, checkout or
# cache asks (two -j2 builds on two cores take longer together than one after the other, and
# each one's estimate goes wrong): the lock is outside the cache, in /tmp unless
# PFNMAP_BUILD_SLOT names another file. Sets BUILD_SLOT_FD; released when the run ends or by
# release_build_slot.
acquire_build_slot() {
	local slot=${PFNMAP_BUILD_SLOT:-/tmp/pfnmap_dev-build-slot-$(id -u).lock} slot_fd
	exec {slot_fd}>>"$slot" || die "cannot open the build slot lock $slot"
	if ! flock -n -x "$slot_fd"; then
		progress "waiting for another kernel build on this machine to finish ($slot)"
		flock -x "$slot_fd" || die "cannot lock $slot"
	fi
	BUILD_SLOT_FD=$slot_fd
}

release_build_slot() { eval "exec ${BUILD_SLOT_FD}>&-"; }

# make_with_progress LABEL ESTIMATE LOG LOCK_FD MAKE-ARG...: make in the foreground, so that
# an interrupt stops it with the run (a background job of a script ignores SIGINT, and would
# build on holding the cache lock), with its output in LOG; a ticker prints the progress.
# The caller holds the machine's build slot (BUILD_SLOT_FD). make's exit status.
make_with_progress() {
	local label=$1 estimate=$2 log=$3 lock_fd=$4 ticker rc=0
	shift 4
	progress_ticker "$label" "$estimate" "$lock_fd $BUILD_SLOT_FD" >/dev/null &
	ticker=$!
	make "$@" >"$log" 2>&1 || rc=$?
	kill "$ticker" 2>/dev/null || true
	wait "$ticker" 2>/dev/null || true
	return "$rc"
}

# progress_ticker LABEL ESTIMATE "FD...": a progress line every PFNMAP_PROGRESS_SECONDS
# (elapsed, and the estimate when there is one) while the run that started it lives. It lets
# go of the run's locks (FD...) at once, so that it never holds an entry or the build slot on
# its own.
progress_ticker() {
	local label=$1 estimate=$2 start=$SECONDS every=${PFNMAP_PROGRESS_SECONDS:-60} parent=$$
	local next=$every fd
	for fd in $3; do eval "exec $fd>&-"; done
	while kill -0 "$parent" 2>/dev/null; do
		sleep 1
		if ((SECONDS - start >= next)); then
			progress "$label: $(minutes $((SECONDS - start)))${estimate:+ of about $(minutes "$estimate")}"
			next=$((next + every))
		fi
	done
}

# built_kernel TREE JOBS [FRAGMENT...]: prints the build directory for a source tree (with a
# flavor's config fragments on top of ours), building it unless a complete one is cached.
#
# A user's tree (outside the cache) may have changed since: its build dir is brought up to date
# with an incremental make on every run, the stamp removed while make runs.
built_kernel() {
	local tree=$1 jobs=$2 hash kernel_version final staging log fragments lock estimate start arch make_args
	shift 2
	arch=$(current_arch)
	mapfile -t make_args < <(arch_make_args "$arch")
	hash=$(build_hash "$tree" "$@")
	final=$PFNMAP_CACHE/build/$(basename "$tree")$(flavor_suffix "$@")$(arch_suffix "$arch")-$hash
	fragments=$(printf ' + kernels/%s' config.fragment "${@##*/}")
	if [[ -f $final/.pfnmap-build && ${PFNMAP_REBUILD:-0} != 1 ]]; then
		if [[ $tree != "$PFNMAP_CACHE"/src/* ]]; then
			lock_entry "$final" x
			update_user_build "$tree" "$final" "$jobs"
			unlock_entry "$ENTRY_LOCK_FD"
		fi
		echo "$final"
		return
	fi
	lock_entry "$final" x
	lock=$ENTRY_LOCK_FD
	# Another run may have built it while we waited for the lock.
	if [[ -f $final/.pfnmap-build && ${PFNMAP_REBUILD:-0} != 1 ]]; then
		progress "reusing $(basename "$final"), built by another run"
		unlock_entry "$lock"
		echo "$final"
		return
	fi
	ensure_host_tools gcc make flex bison bc perl /usr/include/libelf.h /usr/include/openssl/ssl.h
	ensure_arch_tools "$arch"
	require_free_space "$PFNMAP_CACHE" 3
	kernel_version=$(kernel_version_of_tree "$tree")
	sweep_stale_staging "$PFNMAP_CACHE/build" "$final"
	staging=$(make_staging "$final")
	log=$staging/build.log
	progress "configuring $kernel_version for $arch (tinyconfig$fragments)"
	configure_kernel "$tree" "$staging" "$kernel_version" "$@"
	estimate=$(last_build_seconds "$tree")
	acquire_build_slot
	progress "building $kernel_version for $arch with -j$jobs${estimate:+, about $(minutes "$estimate") as last time} (log: $final/build.log)"
	start=$SECONDS
	if ! make_with_progress "building $kernel_version" "$estimate" "$log" "$lock" \
		-C "$tree" O="$staging" "${make_args[@]}" -j"$jobs" "$(arch_image_target "$arch")" modules; then
		release_build_slot
		tail -n 20 "$log" >&2
		die "kernel build failed for $(basename "$tree"); log kept in $log$(cache_full_hint "$staging")"
	fi
	{
		echo "kernel_version=$kernel_version"
		echo "debian_version=$(cat "$tree/.pfnmap-debian-version" 2>/dev/null || echo none)"
		echo "config_hash=$hash"
		echo "config_fragments=${fragments# + }"
		echo "source=$tree"
		echo "build_seconds=$((SECONDS - start))"
	} >"$staging/.pfnmap-build"
	release_build_slot
	publish_dir "$staging" "$final"
	unlock_entry "$lock"
	progress "built $kernel_version into $final"
	echo "$final"
}
