#!/usr/bin/env bash
# Makes the small kernel git history that docs/bisect.md bisects: the cached catalog tree of a
# series as the first commit, then a what-if patch from kernels/patches/ split in two commits
# (its added lines alone, which change nothing the kernel does, then its removed lines), among
# unrelated commits. Fixed author, committer and dates: the same source version gives the same
# commit ids on every machine.
#
# usage: tests/bisect/make-history.sh DEST [SERIES [PATCH]]
#   DEST    a new directory (about 1.5 GB of source plus its git objects)
#   SERIES  a catalog series (default 7.2); its source is fetched into the cache if missing
#   PATCH   a patch under kernels/patches/ (default SERIES-relax-dontunmap.patch)
# Then, e.g.:
#   cd DEST && git bisect start HEAD base &&
#   git bisect run /path/to/run-qemu.sh --kernel-tree . --bisect 'dev.remap.dx.*:dontunmap' \
#       --bisect-good 'ret=EINVAL old=pattern new=-'
set -euo pipefail

dest=${1:+$(realpath -m "$1")}
cd "$(dirname "$0")/../.."
source scripts/common.sh
source scripts/kernel.sh

series=${2:-7.2}
patch=$PFNMAP_TOP/kernels/patches/${3:-$series-relax-dontunmap.patch}

[[ -n $dest ]] || die "usage: $0 DEST [SERIES [PATCH]] (see the comment at its top)"
[[ ! -e $dest ]] || die "$dest exists: give a new directory"
[[ -f $patch ]] || die "no patch $patch"
check_series "$series"

export GIT_AUTHOR_NAME="pfnmap_dev bisect demo" GIT_AUTHOR_EMAIL="bisect@pfnmap.invalid"
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
commit_number=0

# commit_all SUBJECT: commits the work tree, one day after the previous commit. Forced: Debian's
# .gitignore ignores everything at the top level ("/*", its packaging is kept apart).
commit_all() {
	local when=$((1767225600 + commit_number * 86400))
	commit_number=$((commit_number + 1))
	git -C "$dest" add -A -f
	GIT_AUTHOR_DATE="@$when +0000" GIT_COMMITTER_DATE="@$when +0000" \
		git -C "$dest" commit -q --no-verify -m "$1"
}

# The patch's added lines alone: its removed lines kept as context (git apply recounts).
added_half() { sed -E '/^--- /!s/^-/ /' "$patch"; }

# unrelated_change FILE TEXT: a line appended to a file, nothing the kernel does changes.
unrelated_change() { printf '%s\n' "$2" >>"$dest/$1"; }

tree=$(source_tree_for_series "$series")
progress "copying $(basename "$tree") to $dest"
cp -a "$tree" "$dest"
# The cache's own marker, not part of the kernel.
rm -f "$dest/.pfnmap-debian-version"
git -C "$dest" init -q -b main
progress "committing the tree (a minute or two)"
commit_all "base: $(basename "$tree") as Debian ships it"
git -C "$dest" tag base

unrelated_change Documentation/mm/index.rst ".. (bisect demo: an unrelated documentation change)"
commit_all "Documentation: an unrelated change"

added_half | git -C "$dest" apply --recount -
commit_all "mm/mremap: $(basename "$patch" .patch), part 1: its comment (no change in behaviour)"

added_half | git -C "$dest" apply --recount -R -
git -C "$dest" apply "$patch"
commit_all "mm/mremap: $(basename "$patch" .patch), part 2: the change in behaviour"

unrelated_change mm/mmap.c "/* bisect demo: an unrelated change in a file that is built */"
commit_all "mm/mmap: an unrelated comment"

unrelated_change Documentation/mm/index.rst ".. (bisect demo: another unrelated documentation change)"
commit_all "Documentation: another unrelated change"

git -C "$dest" log --oneline >&2
